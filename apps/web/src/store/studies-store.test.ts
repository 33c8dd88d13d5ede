import type { Study, StudyList, StudyListQuery, StudySummary } from "@study-uploader/shared";
import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "@study-uploader/shared";
import { deferred, type Deferred } from "@study-uploader/upload-engine/testing";
import { appendNewStudies, createStudiesStore } from "./studies-store.js";

const study: Study = { id: "s1", title: "Faces", description: "", createdAt: "2030-01-01T00:00:00.000Z", elements: [] };

const summary = (id: string): StudySummary => ({
  id,
  title: `Study ${id}`,
  createdAt: "2030-01-01T00:00:00.000Z",
  elementCount: 1,
  thumbnailUrl: `https://storage.example/${id}/0`,
  deletionPending: false,
});
const page = (ids: string[], nextCursor: string | null): StudyList => ({ studies: ids.map(summary), nextCursor });
const ids = (studies: StudySummary[] | null) => studies?.map((s) => s.id) ?? null;

/** A listStudies whose answers the test hands out one request at a time. */
function pagedApi() {
  const requests: { query: StudyListQuery | undefined; answer: Deferred<StudyList> }[] = [];
  const listStudies = vi.fn((query?: StudyListQuery) => {
    const answer = deferred<StudyList>();
    requests.push({ query, answer });
    return answer.promise;
  });
  const answer = (index: number) => requests[index]!.answer;
  return { api: { listStudies, getStudy: vi.fn(), deleteStudy: vi.fn() }, requests, answer };
}

/** A store showing a first page of "b", with "after-b" to load next. */
async function storeShowingFirstPage() {
  const paged = pagedApi();
  const store = createStudiesStore(paged.api);
  const first = store.getState().actions.loadList();
  paged.answer(0).resolve(page(["b"], "after-b"));
  await first;
  return { ...paged, store, actions: store.getState().actions };
}

describe("appendNewStudies", () => {
  it("appends a page in its order and keeps a study seen before once, where it first stood", () => {
    const loaded = [summary("c"), summary("b")];
    expect(ids(appendNewStudies(loaded, [summary("b"), summary("a"), summary("a")]))).toEqual(["c", "b", "a"]);
  });
});

describe("studies store", () => {
  it("loads the list and a study, and keeps errors per study", async () => {
    const api = {
      listStudies: vi.fn(async () => ({
        studies: [
          {
            id: "s1",
            title: "Faces",
            createdAt: study.createdAt,
            elementCount: 4,
            thumbnailUrl: null,
            deletionPending: false,
          },
        ],
        nextCursor: null,
      })),
      getStudy: vi.fn(async (id: string) => {
        if (id === "s1") return study;
        throw new ApiRequestError(404, "not_found", "Study not found");
      }),
      deleteStudy: vi.fn(),
    };
    const store = createStudiesStore(api);
    const { actions } = store.getState();
    await actions.loadList();
    await actions.loadStudy("s1");
    await actions.loadStudy("missing");
    expect(store.getState()).toMatchObject({
      summaries: [{ id: "s1", elementCount: 4 }],
      studies: { s1: study },
      studyErrors: { missing: "Study not found" },
    });
  });

  it("loads the first page, busy until it comes, and offers the next", async () => {
    const { api, requests, answer } = pagedApi();
    const store = createStudiesStore(api);
    const loaded = store.getState().actions.loadList();
    expect(store.getState()).toMatchObject({ summaries: null, listLoading: "first" });
    answer(0).resolve(page(["d", "c"], "after-c"));
    await loaded;
    expect(requests[0]!.query).toEqual({});
    expect(ids(store.getState().summaries)).toEqual(["d", "c"]);
    expect(store.getState()).toMatchObject({ nextCursor: "after-c", listLoading: null, listError: null });
  });

  it("appends the next page from the cursor, without repeats, and has no cursor after the last", async () => {
    const { api, requests, answer } = pagedApi();
    const store = createStudiesStore(api);
    const { actions } = store.getState();
    const first = actions.loadList();
    answer(0).resolve(page(["d", "c"], "after-c"));
    await first;

    const more = actions.loadMore();
    expect(store.getState().listLoading).toBe("more");
    expect(requests[1]!.query).toEqual({ cursor: "after-c" });
    // A study committed meanwhile shifts the pages: "c" comes again.
    answer(1).resolve(page(["c", "b", "a"], null));
    await more;
    expect(ids(store.getState().summaries)).toEqual(["d", "c", "b", "a"]);
    expect(store.getState()).toMatchObject({ nextCursor: null, listLoading: null });

    await actions.loadMore();
    expect(api.listStudies).toHaveBeenCalledTimes(2);
  });

  it("asks for a page once however often Load more is pressed while it is on its way", async () => {
    const { api, answer } = pagedApi();
    const store = createStudiesStore(api);
    const { actions } = store.getState();
    const first = actions.loadList();
    const firstAgain = actions.loadList();
    answer(0).resolve(page(["b"], "after-b"));
    await Promise.all([first, firstAgain]);

    const presses = [actions.loadMore(), actions.loadMore(), actions.loadMore()];
    answer(1).resolve(page(["a"], null));
    await Promise.all(presses);
    expect(api.listStudies).toHaveBeenCalledTimes(2);
    expect(ids(store.getState().summaries)).toEqual(["b", "a"]);
  });

  it("keeps the loaded studies when a page fails, says why, and tries the same page again", async () => {
    const { store, actions, requests, answer } = await storeShowingFirstPage();

    const failed = actions.loadMore();
    answer(1).reject(new ApiRequestError(503, "unavailable", "Storage is unavailable"));
    await failed;
    expect(ids(store.getState().summaries)).toEqual(["b"]);
    expect(store.getState()).toMatchObject({
      nextCursor: "after-b",
      listLoading: null,
      listError: "Could not load more studies: Storage is unavailable",
    });

    const retried = actions.loadMore();
    expect(store.getState().listError).toBeNull();
    expect(requests[2]!.query).toEqual({ cursor: "after-b" });
    answer(2).resolve(page(["a"], null));
    await retried;
    expect(ids(store.getState().summaries)).toEqual(["b", "a"]);
    expect(store.getState().listError).toBeNull();
  });

  it("says why the first page failed and loads it when asked again", async () => {
    const { api, answer } = pagedApi();
    const store = createStudiesStore(api);
    const { actions } = store.getState();
    const failed = actions.loadList();
    answer(0).reject(new TypeError("Failed to fetch"));
    await failed;
    expect(store.getState()).toMatchObject({
      summaries: null,
      listLoading: null,
      listError: "Could not load the studies: Failed to fetch",
    });

    const retried = actions.loadList();
    answer(1).resolve(page(["a"], null));
    await retried;
    expect(ids(store.getState().summaries)).toEqual(["a"]);
    expect(store.getState().listError).toBeNull();
  });

  it("shows a committed study at once and starts the list over, dropping a page still on its way", async () => {
    const { store, actions, requests, answer } = await storeShowingFirstPage();
    const more = actions.loadMore();

    actions.remember(study);
    expect(store.getState().studies.s1).toBe(study);
    expect(store.getState()).toMatchObject({ summaries: null, nextCursor: null, listLoading: null, listError: null });

    const again = actions.loadList();
    expect(requests[2]!.query).toEqual({});
    answer(1).resolve(page(["a"], null));
    await more;
    expect(store.getState().summaries).toBeNull();
    answer(2).resolve(page(["s1", "b"], "after-b"));
    await again;
    expect(ids(store.getState().summaries)).toEqual(["s1", "b"]);
    expect(store.getState().nextCursor).toBe("after-b");
  });
});

describe("deleting a study", () => {
  /** A store showing study "s1" (also listed, between "b" and "a"), whose deleteStudy answers when the test says. */
  async function storeShowingStudy() {
    const paged = pagedApi();
    const deletion = deferred<void>();
    paged.api.deleteStudy.mockImplementation(() => deletion.promise);
    const store = createStudiesStore(paged.api);
    const { actions } = store.getState();
    const first = actions.loadList();
    paged.answer(0).resolve(page(["b", "s1", "a"], "after-a"));
    await first;
    actions.remember(study);
    const again = actions.loadList();
    paged.answer(1).resolve(page(["b", "s1", "a"], "after-a"));
    await again;
    return { ...paged, store, actions, deletion };
  }

  it("is busy while on its way, then drops the study from the page and the list and says so", async () => {
    const { api, store, actions, deletion } = await storeShowingStudy();
    const deleting = actions.deleteStudy("s1");
    expect(api.deleteStudy).toHaveBeenCalledWith("s1");
    expect(store.getState().deleting).toEqual({ s1: true });
    expect(store.getState().studies.s1).toBe(study);

    deletion.resolve();
    await expect(deleting).resolves.toBe(true);
    expect(ids(store.getState().summaries)).toEqual(["b", "a"]);
    expect(store.getState()).toMatchObject({
      studies: {},
      deleting: {},
      deleteErrors: {},
      notice: "Study “Faces” deleted",
      nextCursor: "after-a",
    });

    actions.clearNotice();
    expect(store.getState().notice).toBeNull();
  });

  it("asks once however often it is pressed while on its way", async () => {
    const { api, actions, deletion } = await storeShowingStudy();
    const presses = [actions.deleteStudy("s1"), actions.deleteStudy("s1")];
    deletion.resolve();
    await expect(Promise.all(presses)).resolves.toEqual([true, true]);
    expect(api.deleteStudy).toHaveBeenCalledTimes(1);
  });

  it("counts a 404 as already deleted", async () => {
    const { store, actions, deletion } = await storeShowingStudy();
    const deleting = actions.deleteStudy("s1");
    deletion.reject(new ApiRequestError(404, "not_found", "Study not found"));
    await expect(deleting).resolves.toBe(true);
    expect(ids(store.getState().summaries)).toEqual(["b", "a"]);
    expect(store.getState()).toMatchObject({ studies: {}, deleteErrors: {}, notice: "Study “Faces” deleted" });
  });

  it("keeps the study when the deletion fails, says why, and can try again", async () => {
    const { api, store, actions, deletion } = await storeShowingStudy();
    const failed = actions.deleteStudy("s1");
    deletion.reject(new ApiRequestError(403, "forbidden", "Only the owner can delete a study"));
    await expect(failed).resolves.toBe(false);
    expect(store.getState().studies.s1).toBe(study);
    expect(ids(store.getState().summaries)).toEqual(["b", "s1", "a"]);
    expect(store.getState()).toMatchObject({
      deleting: {},
      deleteErrors: { s1: "Could not delete the study: Only the owner can delete a study" },
      notice: null,
    });

    api.deleteStudy.mockResolvedValueOnce(undefined);
    const retried = actions.deleteStudy("s1");
    expect(store.getState().deleteErrors).toEqual({});
    await expect(retried).resolves.toBe(true);
    expect(api.deleteStudy).toHaveBeenCalledTimes(2);
    expect(store.getState().studies.s1).toBeUndefined();
  });

  it("keeps a deleted study out of pages asked for before, and does not fetch it again", async () => {
    const { api, store, actions, answer, deletion } = await storeShowingStudy();
    const more = actions.loadMore();
    const deleting = actions.deleteStudy("s1");
    deletion.resolve();
    await deleting;
    // The page was read before the deletion and still lists the study.
    answer(2).resolve(page(["s1", "z"], null));
    await more;
    expect(ids(store.getState().summaries)).toEqual(["b", "a", "z"]);

    await actions.loadStudy("s1");
    expect(api.getStudy).not.toHaveBeenCalled();
    expect(store.getState().studyErrors.s1).toBe("This study has been deleted.");
  });
});

describe("whose studies", () => {
  it("another user drops the last one's list and studies, ignores their answers on the way, and lists again", async () => {
    const { store, actions, answer, requests } = await storeShowingFirstPage();
    actions.userSeen("alice");
    actions.remember(study);
    const first = actions.loadList();
    actions.userSeen("alice");
    expect(requests).toHaveLength(2);
    actions.userSeen("bob");
    expect(store.getState()).toMatchObject({ summaries: null, studies: {}, nextCursor: null });
    expect(requests).toHaveLength(3);
    answer(1).resolve(page(["alices"], null));
    await first;
    expect(store.getState().summaries).toBeNull();
    answer(2).resolve(page(["bobs"], null));
    await vi.waitFor(() => expect(ids(store.getState().summaries)).toEqual(["bobs"]));
  });

  it("asks for nothing when no list was on show", () => {
    const paged = pagedApi();
    const store = createStudiesStore(paged.api);
    store.getState().actions.userSeen("alice");
    store.getState().actions.userSeen("bob");
    expect(paged.requests).toHaveLength(0);
  });

  it("after a sign-out, asks for nothing until the next user comes, even when a list is asked for", async () => {
    const { store, actions, requests, api } = await storeShowingFirstPage();
    actions.userSeen("alice");
    actions.signedOut();
    expect(store.getState()).toMatchObject({ summaries: null, signedOut: true });
    await actions.loadList();
    await actions.loadStudy("s1");
    expect(requests).toHaveLength(1);
    expect(api.getStudy).not.toHaveBeenCalled();
    actions.userSeen("alice");
    expect(store.getState().signedOut).toBe(false);
    expect(requests).toHaveLength(2);
  });
});
