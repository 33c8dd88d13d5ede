import { describe, expect, it } from "vitest";
import { deferred, settle } from "./testing/deferred.js";
import { answerAll, fakeApi, fakeSession, file, manualTransport, ok, refusal } from "./testing/session-fakes.js";
import { createThumbnailUploads } from "./thumbnail-upload.js";
import type { UploadTargets } from "./upload-targets.js";

const thumbnailBody = () => new Blob([new Uint8Array(900)], { type: "image/jpeg" });

/** Links as the API hands them out, each with a thumbnail link beside the file's. */
const linksFor = (indexes: number[], generation = 1): UploadTargets => ({
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  files: indexes.map((index) => ({
    index,
    uploadUrl: `http://storage/b1/g${generation}/${index}`,
    headers: {},
    thumbnail: {
      uploadUrl: `http://storage/b1/g${generation}/${index}-thumb`,
      headers: { "x-ms-blob-content-type": "image/jpeg" },
    },
  })),
});

function setup(indexes: Record<string, number> = { a: 0, b: 1 }) {
  const fake = manualTransport();
  const limit = deferred<void>();
  const thumbnails = createThumbnailUploads({
    transport: fake.transport,
    indexOf: (id) => indexes[id] ?? null,
    waitLimit: () => limit.promise,
  });
  const settledOf = (ids: string[]) => {
    let done = false;
    void thumbnails.settled(ids, new AbortController().signal).then(() => (done = true));
    return () => done;
  };
  return { fake, thumbnails, limit, settledOf };
}

describe("thumbnail uploads", () => {
  it("PUTs each thumbnail once, to its file's thumbnail link with its headers, when both are at hand", async () => {
    const { fake, thumbnails } = setup();
    const body = thumbnailBody();
    thumbnails.set("a", body);
    expect(fake.calls).toHaveLength(0);
    thumbnails.offerLinks(linksFor([0]));
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0-thumb"]);
    expect(fake.calls[0]!.request.headers).toEqual({ "x-ms-blob-content-type": "image/jpeg" });
    expect(fake.calls[0]!.request.body).toBe(body);
    // Later links (a refresh) do not send it again, answered or not.
    fake.answer(fake.calls[0]!, ok);
    thumbnails.offerLinks(linksFor([0, 1], 2));
    expect(fake.calls).toHaveLength(1);
  });

  it("sends one being made once it is made; one that could not be made is never sent", async () => {
    const { fake, thumbnails } = setup();
    thumbnails.offerLinks(linksFor([0, 1]));
    const making = deferred<Blob | null>();
    thumbnails.set("a", making.promise);
    thumbnails.set("b", Promise.resolve(null));
    await settle();
    expect(fake.calls).toHaveLength(0);
    making.resolve(thumbnailBody());
    await settle();
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0-thumb"]);
  });

  it("a commit waits for thumbnails being made or sent, not for one that failed or could not be made", async () => {
    const { fake, thumbnails, settledOf } = setup();
    thumbnails.offerLinks(linksFor([0, 1]));
    const making = deferred<Blob | null>();
    thumbnails.set("a", making.promise);
    thumbnails.set("b", Promise.reject(new Error("cannot decode")));
    const settled = settledOf(["a", "b"]);
    await settle();
    expect(settled()).toBe(false);
    making.resolve(thumbnailBody());
    await settle();
    expect(fake.pending()).toHaveLength(1);
    expect(settled()).toBe(false);
    fake.answer(fake.pending()[0]!, refusal(403));
    await settle();
    expect(settled()).toBe(true);
    // Settled ones are not waited for again.
    const again = settledOf(["a", "b"]);
    await settle();
    expect(again()).toBe(true);
  });

  it("a commit stops waiting at the limit, and never waits for files it does not name", async () => {
    const { thumbnails, limit, settledOf } = setup();
    thumbnails.set("a", new Promise<Blob | null>(() => undefined));
    const other = settledOf(["b"]);
    const settled = settledOf(["a"]);
    await settle();
    expect(other()).toBe(true);
    expect(settled()).toBe(false);
    limit.resolve();
    await settle();
    expect(settled()).toBe(true);
  });

  it("a removed file's thumbnail is not sent; starting over stops PUTs in flight and forgets links", async () => {
    const { fake, thumbnails } = setup();
    thumbnails.set("a", thumbnailBody());
    thumbnails.forget("a");
    thumbnails.set("b", thumbnailBody());
    thumbnails.offerLinks(linksFor([0, 1]));
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/1-thumb"]);
    thumbnails.clear();
    expect(fake.calls[0]!.request.signal.aborted).toBe(true);
    thumbnails.set("a", thumbnailBody());
    expect(fake.calls).toHaveLength(1);
  });
});

describe("a study session's thumbnails", () => {
  function sessionSetup() {
    const api = fakeApi(600_000);
    // The fake API's links, each with a thumbnail link beside the file's, as the API hands them out now.
    const withThumbnails = <T extends UploadTargets>(targets: T): T => ({
      ...targets,
      files: targets.files.map((t) => ({
        ...t,
        thumbnail: { uploadUrl: `${t.uploadUrl}-thumb`, headers: { "x-ms-blob-content-type": "image/jpeg" } },
      })),
    });
    const create = api.createBatch.getMockImplementation()!;
    api.createBatch.mockImplementation(async (request) => withThumbnails(await create(request)));
    const { fake, session } = fakeSession(api);
    const isThumbnail = (path: string) => path.endsWith("-thumb");
    return { fake, api, session, isThumbnail };
  }

  it("PUTs a file's thumbnail beside it once the file has its link, and commits after it arrived", async () => {
    const { fake, api, session, isThumbnail } = sessionSetup();
    session.add([file("a"), file("b")]);
    session.setThumbnail("a", thumbnailBody());
    const making = deferred<Blob | null>();
    session.setThumbnail("b", making.promise);
    // Only the images: the study's thumbnail PUTs are answered by hand below.
    for (let round = 0; round < 10; round++) {
      await settle();
      for (const call of fake.pending()) if (!isThumbnail(call.path)) fake.answer(call, ok);
    }
    expect(fake.calls.filter((c) => isThumbnail(c.path)).map((c) => c.path)).toEqual(["b1/g1/0-thumb"]);

    const committed = session.commit({ order: ["a", "b"], details: () => ({ title: "T", labelOf: () => "x" }) });
    await settle();
    expect(api.commitStudy).not.toHaveBeenCalled();
    making.resolve(thumbnailBody());
    await settle();
    expect(fake.pending().map((c) => c.path)).toEqual(["b1/g1/0-thumb", "b1/g1/1-thumb"]);
    // One refused: the commit goes on without it; the other arrives.
    fake.answer(fake.pending()[0]!, refusal(403));
    await settle();
    expect(api.commitStudy).not.toHaveBeenCalled();
    await answerAll(fake);
    expect(await committed).toMatchObject({ kind: "committed" });
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
  });

  it("a thumbnail that could not be made holds nothing back, and none is sent for a removed image", async () => {
    const { fake, session, isThumbnail } = sessionSetup();
    session.add([file("a"), file("b")]);
    session.setThumbnail("a", Promise.resolve(null));
    session.setThumbnail("b", thumbnailBody());
    void session.remove("b");
    const committed = session.commit({ order: ["a"], details: () => ({ title: "T", labelOf: () => "x" }) });
    await answerAll(fake);
    expect(await committed).toMatchObject({ kind: "committed" });
    expect(fake.calls.filter((c) => isThumbnail(c.path))).toEqual([]);
  });
});
