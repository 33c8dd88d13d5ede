import { defaultUploadConfig, type CommitStudyRequest, type Study, type UploadConfig } from "@study-uploader/shared";
import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "@study-uploader/shared";
import type { PutBlobOutcome, PutBlobRequest } from "@study-uploader/upload-engine";
import { settle } from "@study-uploader/upload-engine/testing";
import { canRetry, doneCount, sentBytes } from "./draft-selectors.js";
import { formProblems } from "./draft-validation.js";
import { createStudyDraftStore, type StudyDraftDeps } from "./study-draft-store.js";

const png = (name: string, size = 100) => new File([new Uint8Array(size)], name, { type: "image/png" });

const study = (request: CommitStudyRequest): Study => ({
  id: "S".repeat(22),
  title: request.title,
  description: request.description ?? "",
  createdAt: new Date().toISOString(),
  elements: [],
});

const targets = (batchId: string, indexes: number[]) => ({
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  files: indexes.map((index) => ({
    index,
    uploadUrl: `http://storage/${batchId}/${index}?v=${Math.random()}`,
    headers: {},
  })),
});

/** Fake API and storage: PUTs answer `outcomeFor(url)` after reporting full progress. */
function setup(
  options: {
    config?: Partial<UploadConfig>;
    outcomeFor?: (request: PutBlobRequest) => PutBlobOutcome | Promise<PutBlobOutcome>;
  } = {},
) {
  const frames: (() => void)[] = [];
  let batches = 0;
  const api = {
    getConfig: vi.fn(async () => ({ ...defaultUploadConfig, ...options.config })),
    createBatch: vi.fn(async (request: { files: unknown[] }) => {
      const batchId = `batch-${++batches}`;
      return {
        batchId,
        ...targets(
          batchId,
          request.files.map((_, i) => i),
        ),
      };
    }),
    refreshBatch: vi.fn(async (batchId: string, indexes: number[]) => targets(batchId, indexes)),
    commitStudy: vi.fn(async (request: CommitStudyRequest) => study(request)),
  };
  const puts: PutBlobRequest[] = [];
  const transport = vi.fn(async (request: PutBlobRequest) => {
    puts.push(request);
    request.onProgress(request.body.size);
    return (await options.outcomeFor?.(request)) ?? ({ kind: "response", status: 201, errorCode: null } as const);
  });
  const previews = { create: vi.fn((file: File) => `blob:${file.name}`), revoke: vi.fn() };
  const onStudyCommitted = vi.fn();
  const deps: StudyDraftDeps = {
    api,
    transport,
    hashMd5: async (blob) => `md5-${(blob as File).name}`,
    scheduleFrame: (callback) => void frames.push(callback),
    previews,
    onStudyCommitted,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  };
  const store = createStudyDraftStore(deps);
  const runFrame = () => frames.splice(0).forEach((frame) => frame());
  const image = (name: string) => Object.values(store.getState().images).find((i) => i.file.name === name)!;
  return {
    store,
    api,
    puts,
    transport,
    previews,
    onStudyCommitted,
    runFrame,
    image,
    actions: store.getState().actions,
  };
}

async function readyForm(names: string[], options?: Parameters<typeof setup>[0]) {
  const context = setup(options);
  await context.actions.loadConfig();
  context.actions.setTitle("Faces");
  context.actions.addFiles(names.map((name) => png(name)));
  return context;
}

describe("study draft: editing", () => {
  it("adds images with a preview and a label from the file name, and revokes the preview on removal", async () => {
    const { store, actions, previews, image } = await readyForm(["photo-01.png", "scan.final.png"]);
    expect(image("photo-01.png")).toMatchObject({
      label: "photo-01",
      previewUrl: "blob:photo-01.png",
      status: "queued",
    });
    expect(image("scan.final.png").label).toBe("scan.final");
    actions.removeImage(image("photo-01.png").id);
    expect(previews.revoke).toHaveBeenCalledWith("blob:photo-01.png");
    expect(store.getState().imageIds).toHaveLength(1);
  });

  it("lists what blocks submitting: title, images, limits and invalid rows", async () => {
    const { store, actions, image } = setup({ config: { maxFiles: 2, maxFileBytes: 150 } });
    expect(formProblems(store.getState())).toEqual(["Waiting for the upload limits"]);
    await actions.loadConfig();
    expect(formProblems(store.getState())).toEqual(["Add a title", "Add at least one image"]);
    actions.setTitle("T");
    actions.addFiles([png("a.png"), png("b.png", 200), new File(["<html>"], "c.html", { type: "text/html" })]);
    expect(formProblems(store.getState())).toEqual([
      "Too many images: 3, at most 2 are allowed; remove 1",
      "Fix or remove 2 images marked in the list above",
    ]);
    actions.removeImage(image("c.html").id);
    actions.setLabel(image("a.png").id, "  ");
    expect(formProblems(store.getState())).toEqual(["Fix or remove 2 images marked in the list above"]);
  });

  it("sends nothing while the form is invalid", async () => {
    const { actions, api } = setup();
    await actions.loadConfig();
    actions.addFiles([png("a.png")]);
    await actions.createStudy();
    expect(api.createBatch).not.toHaveBeenCalled();
  });
});

describe("study draft: creating a study", () => {
  it("creates a batch, uploads each file with its MD5, commits labels and md5s, then hands over the study", async () => {
    const { store, actions, api, puts, onStudyCommitted, previews, image } = await readyForm(["a.png", "b.png"]);
    actions.setLabel(image("b.png").id, "Second");
    actions.setDescription("  two faces ");
    await actions.createStudy();
    expect(api.createBatch).toHaveBeenCalledWith({
      files: [
        { name: "a.png", size: 100, type: "image/png" },
        { name: "b.png", size: 100, type: "image/png" },
      ],
    });
    expect(puts.map((p) => p.headers["Content-MD5"])).toEqual(["md5-a.png", "md5-b.png"]);
    expect(api.commitStudy).toHaveBeenCalledWith({
      batchId: "batch-1",
      title: "Faces",
      description: "two faces",
      elements: [
        { index: 0, label: "a", md5: "md5-a.png" },
        { index: 1, label: "Second", md5: "md5-b.png" },
      ],
    });
    expect(onStudyCommitted).toHaveBeenCalledWith(expect.objectContaining({ title: "Faces" }));
    expect(previews.revoke).toHaveBeenCalledTimes(2);
    expect(store.getState()).toMatchObject({ imageIds: [], title: "", phase: "editing" });
  });

  it("applies byte progress once per animation frame, not per event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { store, actions, runFrame, image } = await readyForm(["a.png"], {
      outcomeFor: async (request) => {
        request.onProgress(40);
        await gate;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    const created = actions.createStudy();
    await settle(50);
    expect(image("a.png").status).toBe("uploading");
    expect(image("a.png").sentBytes).toBe(0);
    runFrame();
    expect(image("a.png").sentBytes).toBe(100);
    expect(sentBytes(store.getState())).toBe(100);
    release();
    await created;
  });

  it("commits nothing while a file failed; Retry failed re-sends only that file with a fresh link, then commits", async () => {
    let refuseB = true;
    const { store, actions, api, puts, image } = await readyForm(["a.png", "b.png", "c.png"], {
      outcomeFor: (request) =>
        refuseB && request.url.includes("/1?")
          ? { kind: "response", status: 500, errorCode: null }
          : { kind: "response", status: 201, errorCode: null },
    });
    await actions.createStudy();
    expect(api.commitStudy).not.toHaveBeenCalled();
    expect(image("b.png")).toMatchObject({
      status: "failed",
      statusReason: "gave up after 2 attempts: storage error (500)",
    });
    expect(doneCount(store.getState())).toBe(2);
    expect(store.getState().announcement).toMatch(/1 image failed. Nothing was committed/);
    expect(canRetry(store.getState())).toBe(true);

    refuseB = false;
    puts.length = 0;
    await actions.retryFailed();
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.refreshBatch).toHaveBeenCalledWith("batch-1", [1]);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["b.png"]);
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
  });

  it("marks the files a 422 names as failed with the server's reason; retrying one refreshes its link and re-uploads it", async () => {
    const { actions, api, puts, image } = await readyForm(["a.png", "fake.png"]);
    api.commitStudy.mockRejectedValueOnce(
      new ApiRequestError(422, "verification_failed", "Not committed: 1 file(s) failed verification (fake.png)", [
        { index: 1, problem: "content is not a PNG image" },
      ]),
    );
    await actions.createStudy();
    expect(image("fake.png")).toMatchObject({ status: "failed", statusReason: "content is not a PNG image" });
    expect(image("a.png").status).toBe("done");

    puts.length = 0;
    await actions.retryImage(image("fake.png").id);
    expect(api.refreshBatch).toHaveBeenCalledWith("batch-1", [1]);
    expect(puts).toHaveLength(1);
    expect(api.commitStudy).toHaveBeenCalledTimes(2);
  });

  it("asks for the batch as soon as the form is valid, so Create study starts uploading at once", async () => {
    const { actions, api, puts } = setup();
    await actions.loadConfig();
    actions.addFiles([png("a.png"), png("b.png")]);
    expect(api.createBatch).not.toHaveBeenCalled();
    actions.setTitle("F");
    actions.setTitle("Fa");
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    await actions.createStudy();
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(puts.map((p) => p.url)).toEqual([
      expect.stringContaining("batch-1/0"),
      expect.stringContaining("batch-1/1"),
    ]);
    expect(api.commitStudy).toHaveBeenCalledWith(expect.objectContaining({ batchId: "batch-1" }));
  });

  it("does not use a batch prepared for other images, nor one whose prepared request failed", async () => {
    const { actions, api, image } = await readyForm(["a.png"]);
    actions.addFiles([png("b.png")]);
    actions.removeImage(image("a.png").id);
    expect(api.createBatch).toHaveBeenCalledTimes(3);
    api.createBatch.mockRejectedValueOnce(new Error("offline"));
    actions.addFiles([png("c.png")]);
    await actions.createStudy();
    expect(api.createBatch).toHaveBeenCalledTimes(5);
    expect((api.createBatch.mock.calls[4]![0].files as { name: string }[]).map((f) => f.name)).toEqual([
      "b.png",
      "c.png",
    ]);
    expect(api.commitStudy).toHaveBeenCalledWith(expect.objectContaining({ batchId: "batch-4" }));
  });

  it("requests a new batch after the images change", async () => {
    const { actions, api } = await readyForm(["a.png"], {
      outcomeFor: () => ({ kind: "response", status: 400, errorCode: "InvalidHeaderValue" }),
    });
    await actions.createStudy();
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    actions.addFiles([png("b.png")]);
    await actions.createStudy();
    expect(api.createBatch).toHaveBeenCalledTimes(2);
    expect(api.createBatch.mock.calls[1]![0].files).toHaveLength(2);
  });

  it("cancel aborts uploads in flight, commits nothing and returns the form to editing", async () => {
    const signals: AbortSignal[] = [];
    const { store, actions, api, image } = await readyForm(["a.png", "b.png"], {
      outcomeFor: (request) =>
        new Promise((resolve) => {
          signals.push(request.signal);
          request.signal.addEventListener("abort", () => resolve({ kind: "aborted" }));
        }),
    });
    const created = actions.createStudy();
    await settle(50);
    expect(store.getState().phase).toBe("uploading");
    actions.cancel();
    await created;
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(api.commitStudy).not.toHaveBeenCalled();
    expect(store.getState()).toMatchObject({
      phase: "editing",
      announcement: "Upload cancelled. Nothing was committed.",
    });
    expect(image("a.png").status).toBe("queued");
  });
});
