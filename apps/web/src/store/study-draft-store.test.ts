import {
  ApiRequestError,
  defaultUploadConfig,
  type BatchStatus,
  type CommitStudyRequest,
  type Study,
  type UploadConfig,
} from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { createHash } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { PutBlobOutcome, PutBlobRequest } from "@study-uploader/upload-engine";
import { settle } from "@study-uploader/upload-engine/testing";
import { canRetry, contentProblem, draftPhase, needsFile, sentOf } from "./draft-selectors.js";
import { uploadTotals } from "./draft-totals.js";
import { formProblems } from "./draft-validation.js";
import { readSavedDraft, type KeptFileHandle, type SavedDraft } from "./saved-draft.js";
import { createStudyDraftStore, type StudyDraftDeps } from "./study-draft-store.js";

/** A file the structure check accepts (the store reads its head before sending it). */
const png = (name: string, size = 100) =>
  new File([syntheticImage("image/png", size) as Uint8Array<ArrayBuffer>], name, { type: "image/png" });

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
    poolSize?: StudyDraftDeps["poolSize"];
    keepsDrafts?: boolean;
    batchStatus?: (batchId: string) => Promise<BatchStatus>;
    wallClock?: () => number;
    /** The session's subscribers hear of changes only when the test runs a frame. */
    inFrames?: boolean;
    undoWindowMs?: number;
    hashMd5?: StudyDraftDeps["hashMd5"];
  } = {},
) {
  const frames: (() => void)[] = [];
  let batches = 0;
  const batchSizes = new Map<string, number>();
  const api = {
    getConfig: vi.fn(async () => ({ ...defaultUploadConfig, ...options.config })),
    createBatch: vi.fn(async (request: { files: unknown[] }) => {
      const batchId = `batch-${++batches}`;
      batchSizes.set(batchId, request.files.length);
      return {
        batchId,
        ...targets(
          batchId,
          request.files.map((_, i) => i),
        ),
      };
    }),
    addBatchFiles: vi.fn(async (batchId: string, request: { files: unknown[] }) => {
      const first = batchSizes.get(batchId)!;
      batchSizes.set(batchId, first + request.files.length);
      return targets(
        batchId,
        request.files.map((_, i) => first + i),
      );
    }),
    removeBatchFile: vi.fn(async (_batchId: string, _index: number) => {}),
    refreshBatch: vi.fn(async (batchId: string, indexes: number[]) => targets(batchId, indexes)),
    commitStudy: vi.fn(async (request: CommitStudyRequest) => study(request)),
    getBatch: vi.fn(
      options.batchStatus ??
        (async (): Promise<BatchStatus> => {
          throw new ApiRequestError(404, "not_found", "Batch not found");
        }),
    ),
    discardBatch: vi.fn(async (_batchId: string) => {}),
    reuseUpload: vi.fn(async (_batchId: string, _index: number, _md5: string) => false),
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
    hashMd5: options.hashMd5 ?? (async (blob) => `md5-${(blob as File).name}`),
    scheduleNotify: options.inFrames ? (notify) => void frames.push(notify) : queueMicrotask,
    previews,
    onStudyCommitted,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    poolSize: options.poolSize,
    keepsDrafts: options.keepsDrafts,
    thumbnail: async (file) => new Blob([`thumb of ${file.name}`]),
    wallClock: options.wallClock,
    // A removal is final at once unless a test looks at Undo.
    undoWindowMs: options.undoWindowMs ?? 0,
  };
  const store = createStudyDraftStore(deps);
  const runFrame = () => frames.splice(0).forEach((frame) => frame());
  const upload = () => store.getState().session.getSnapshot();
  /** An image as its row shows it: the form's part, and how far its upload got (the session's). */
  const image = (name: string) => {
    const form = Object.values(store.getState().images).find((i) => i.file.name === name)!;
    const entry = upload().files[form.id];
    return {
      ...form,
      state: entry?.state.kind,
      reason: entry && "reason" in entry.state ? entry.state.reason : null,
      sent: sentOf(entry),
      needsFile: needsFile(form, entry),
      contentProblem: contentProblem(entry),
    };
  };
  return {
    store,
    upload,
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

/** Until every added image has reached a final upload state (arrived, failed, or refused by its check). */
async function uploadsSettled(store: ReturnType<typeof setup>["store"]) {
  await vi.waitFor(() => {
    const { imageIds, session } = store.getState();
    for (const id of imageIds) {
      expect(["uploaded", "failed", "rejected"]).toContain(session.getSnapshot().files[id]?.state.kind);
    }
  });
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
      state: "checking",
    });
    expect(image("scan.final.png").label).toBe("scan.final");
    actions.removeImage(image("photo-01.png").id);
    expect(store.getState().imageIds).toHaveLength(1);
    await vi.waitFor(() => expect(previews.revoke).toHaveBeenCalledWith("blob:photo-01.png"));
  });

  it("lists what blocks submitting: title, images and invalid rows (refused rows take no room)", async () => {
    const { upload, store, actions, image } = setup({ config: { maxFiles: 2, maxFileBytes: 150 } });
    expect(formProblems(store.getState(), upload())).toEqual(["Waiting for the upload limits"]);
    await actions.loadConfig();
    expect(formProblems(store.getState(), upload())).toEqual(["Add a title", "Add at least one image"]);
    actions.setTitle("T");
    actions.addFiles([png("a.png"), png("b.png", 200), new File(["<html>"], "c.html", { type: "text/html" })]);
    expect(store.getState().imageIds).toHaveLength(3);
    expect(formProblems(store.getState(), upload())).toEqual(["Fix or remove 2 images marked in the list above"]);
    actions.removeImage(image("c.html").id);
    actions.setLabel(image("a.png").id, "  ");
    expect(formProblems(store.getState(), upload())).toEqual(["Fix or remove 2 images marked in the list above"]);
    actions.removeRejected();
    expect(store.getState().imageIds.map((id) => store.getState().images[id]!.file.name)).toEqual(["a.png"]);
    expect(store.getState().announcement).toBe("1 rejected image removed");
  });

  it("never sends a file whose content is not the image its type says, and says why in its row", async () => {
    const { store, upload, actions, api, puts, image } = setup();
    await actions.loadConfig();
    actions.setTitle("T");
    const pdf = new File(["%PDF-1.7 not an image"], "scan.png", { type: "image/png" });
    actions.addFiles([pdf, png("good.png")]);
    await uploadsSettled(store);
    expect(image("scan.png").contentProblem).toMatch(/^Not sent: its content is not a PNG image/);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["good.png"]);
    // Announced with the others while its head was read (the batch request does not wait for checks), then
    // taken out of the batch unsent.
    expect(api.createBatch.mock.calls[0]![0].files).toHaveLength(2);
    await vi.waitFor(() => expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 0));
    expect(formProblems(store.getState(), upload())).toEqual(["Fix or remove the image marked in the list above"]);
    await actions.createStudy();
    expect(api.commitStudy).not.toHaveBeenCalled();
  });

  it("refuses files beyond the study's limit when picked and says so; picked again after a removal, they go", async () => {
    const { store, actions, api, puts, image } = setup({ config: { maxFiles: 2 } });
    await actions.loadConfig();
    actions.addFiles([png("a.png"), png("b.png"), png("c.png"), png("d.png")]);
    expect(store.getState().imageIds).toHaveLength(2);
    expect(store.getState().pickNotice?.overLimit).toEqual(["c.png", "d.png"]);
    expect(store.getState().announcement).toMatch(/^2 images added\. 2 images were not added: a study holds at most 2/);
    await uploadsSettled(store);
    actions.removeImage(image("a.png").id);
    await vi.waitFor(() => expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 0));
    actions.addFiles([png("c.png")]);
    expect(store.getState().pickNotice).toBeNull();
    await uploadsSettled(store);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["a.png", "b.png", "c.png"]);
    expect(api.addBatchFiles.mock.calls.map(([, request]) => request.files.length)).toEqual([1]);
  });

  it("totals count only the images that will be sent", async () => {
    const { store, upload, actions } = setup({ config: { maxFileBytes: 150 } });
    await actions.loadConfig();
    actions.addFiles([png("a.png", 100), png("big.png", 200)]);
    await vi.waitFor(() => expect(uploadTotals(store.getState(), upload()).done).toBe(1));
    expect(uploadTotals(store.getState(), upload())).toEqual({ count: 1, bytes: 100, sent: 100, done: 1, failed: 0 });
  });

  it("starts uploading the moment images are added, before the title is typed", async () => {
    const { store, actions, api, puts } = setup();
    await actions.loadConfig();
    actions.addFiles([png("a.png"), png("b.png")]);
    await uploadsSettled(store);
    expect(store.getState().title).toBe("");
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["a.png", "b.png"]);
    expect(api.commitStudy).not.toHaveBeenCalled();
  });

  it("images added before the limits arrive start once they do", async () => {
    const { store, actions, puts } = setup();
    actions.addFiles([png("a.png")]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(puts).toHaveLength(0);
    await actions.loadConfig();
    await uploadsSettled(store);
    expect(puts).toHaveLength(1);
  });

  it("title, description and labels stay editable while images upload", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { store, actions, image } = await readyForm(["a.png"], {
      outcomeFor: async () => {
        await gate;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    await vi.waitFor(() => expect(image("a.png").state).toBe("uploading"));
    actions.setTitle("Typed while uploading");
    actions.setDescription("also this");
    actions.setLabel(image("a.png").id, "relabelled");
    expect(store.getState()).toMatchObject({ title: "Typed while uploading", description: "also this" });
    expect(image("a.png").label).toBe("relabelled");
    release();
    await uploadsSettled(store);
  });

  it("adding images later grows the same batch; removing one aborts its upload and deletes it", async () => {
    const signals = new Map<string, AbortSignal>();
    const { store, actions, api, image } = await readyForm(["a.png"], {
      outcomeFor: (request) => {
        const name = (request.body as File).name;
        signals.set(name, request.signal);
        if (name !== "slow.png") return { kind: "response", status: 201, errorCode: null };
        return new Promise((resolve) => request.signal.addEventListener("abort", () => resolve({ kind: "aborted" })));
      },
    });
    await uploadsSettled(store);
    actions.addFiles([png("b.png"), png("slow.png")]);
    await vi.waitFor(() => expect(image("slow.png").state).toBe("uploading"));
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.addBatchFiles).toHaveBeenCalledWith("batch-1", {
      files: [
        { name: "b.png", size: 100, type: "image/png" },
        { name: "slow.png", size: 100, type: "image/png" },
      ],
    });
    actions.removeImage(image("slow.png").id);
    await vi.waitFor(() => expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 2));
    expect(signals.get("slow.png")?.aborted).toBe(true);
    await actions.createStudy();
    expect(api.commitStudy).toHaveBeenCalledWith(
      expect.objectContaining({
        elements: [expect.objectContaining({ index: 0 }), expect.objectContaining({ index: 1 })],
      }),
    );
  });
});

describe("study draft: creating a study", () => {
  it("with every image up, Create study costs one request: the commit of labels and MD5s; the study is handed over", async () => {
    const { upload, store, actions, api, puts, onStudyCommitted, previews, image } = await readyForm([
      "a.png",
      "b.png",
    ]);
    await uploadsSettled(store);
    actions.setLabel(image("b.png").id, "Second");
    actions.setDescription("  two faces ");
    const before = { batches: api.createBatch.mock.calls.length, puts: puts.length };
    await actions.createStudy();
    expect(api.createBatch.mock.calls.length).toBe(before.batches);
    expect(puts.length).toBe(before.puts);
    expect(api.refreshBatch).not.toHaveBeenCalled();
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
    expect(store.getState()).toMatchObject({ imageIds: [], title: "" });
    expect(upload()).toMatchObject({ batchId: null, files: {}, commit: { kind: "committed" } });
  });

  it("pressed while images upload, the button waits and the commit follows the last upload", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { upload, store, actions, api } = await readyForm(["a.png"], {
      outcomeFor: async () => {
        await gate;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    const created = actions.createStudy();
    await vi.waitFor(() =>
      expect(store.getState().announcement).toBe("The study will be created when 1 upload finishes"),
    );
    expect(draftPhase(upload())).toBe("waiting");
    expect(api.commitStudy).not.toHaveBeenCalled();
    release();
    await created;
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
    expect(draftPhase(upload())).toBe("editing");
  });

  it("a click right after picking waits for the files' checks instead of committing nothing", async () => {
    const { actions, api } = setup();
    await actions.loadConfig();
    actions.setTitle("Quick");
    actions.addFiles([png("a.png"), png("b.png")]);
    await actions.createStudy();
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
    expect(api.commitStudy.mock.calls[0]![0].elements).toHaveLength(2);
  });

  it("tells the components of a burst of progress once per animation frame, not per event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { store, upload, runFrame, image } = await readyForm(["a.png"], {
      inFrames: true,
      outcomeFor: async (request) => {
        request.onProgress(40);
        await gate;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    await vi.waitFor(() => expect(image("a.png").state).toBe("uploading"));
    await settle(50);
    const heard = vi.fn();
    store.getState().session.subscribe(heard);
    runFrame();
    expect(heard).toHaveBeenCalledTimes(1);
    expect(image("a.png").sent).toBe(100);
    expect(uploadTotals(store.getState(), upload()).sent).toBe(100);
    release();
    await vi.waitFor(() => {
      runFrame();
      expect(image("a.png").state).toBe("uploaded");
    });
  });

  it("commits nothing while a file failed; Retry failed re-sends only that file, then commits", async () => {
    let refuseB = true;
    const { upload, store, actions, api, puts, image } = await readyForm(["a.png", "b.png", "c.png"], {
      outcomeFor: (request) =>
        refuseB && (request.body as File).name === "b.png"
          ? { kind: "response", status: 500, errorCode: null }
          : { kind: "response", status: 201, errorCode: null },
    });
    await actions.createStudy();
    expect(api.commitStudy).not.toHaveBeenCalled();
    expect(image("b.png")).toMatchObject({
      state: "failed",
      reason: "gave up after 2 attempts: storage error (500)",
    });
    expect(uploadTotals(store.getState(), upload()).done).toBe(2);
    expect(store.getState().announcement).toMatch(/1 image failed. Nothing was committed/);
    expect(canRetry(store.getState(), upload())).toBe(true);

    refuseB = false;
    puts.length = 0;
    await actions.retryFailed();
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["b.png"]);
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
  });

  it("a failure before Create study was pressed is retried without committing", async () => {
    let refuse = true;
    const { upload, store, actions, api, puts } = await readyForm(["a.png"], {
      outcomeFor: () =>
        refuse
          ? { kind: "response", status: 500, errorCode: null }
          : { kind: "response", status: 201, errorCode: null },
    });
    await uploadsSettled(store);
    refuse = false;
    await actions.retryFailed();
    await uploadsSettled(store);
    expect(puts.at(-1)?.body).toBeDefined();
    expect(uploadTotals(store.getState(), upload()).done).toBe(1);
    expect(api.commitStudy).not.toHaveBeenCalled();
  });

  it("marks the files a 422 names as failed with the server's reason; retrying one refreshes its link and re-uploads it", async () => {
    const { actions, api, puts, image } = await readyForm(["a.png", "fake.png"]);
    api.commitStudy.mockRejectedValueOnce(
      new ApiRequestError(422, "verification_failed", "Not committed: 1 file(s) failed verification (fake.png)", [
        { index: 1, problem: "content is not a PNG image" },
      ]),
    );
    await actions.createStudy();
    expect(image("fake.png")).toMatchObject({ state: "failed", reason: "content is not a PNG image" });
    expect(image("a.png").state).toBe("uploaded");

    puts.length = 0;
    await actions.retryImage(image("fake.png").id);
    expect(api.refreshBatch).toHaveBeenCalledWith("batch-1", [1]);
    expect(puts).toHaveLength(1);
    expect(api.commitStudy).toHaveBeenCalledTimes(2);
  });

  it("cancel stops waiting to commit; the uploads go on and nothing is committed", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { upload, store, actions, api } = await readyForm(["a.png", "b.png"], {
      outcomeFor: async () => {
        await gate;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    const created = actions.createStudy();
    await vi.waitFor(() => expect(store.getState().announcement).toMatch(/will be created when 2 uploads/));
    actions.cancel();
    await created;
    expect(draftPhase(upload())).toBe("editing");
    expect(store.getState()).toMatchObject({
      commitRequested: false,
      announcement: "The study will not be created for now; uploads go on.",
    });
    release();
    await uploadsSettled(store);
    expect(uploadTotals(store.getState(), upload()).done).toBe(2);
    expect(api.commitStudy).not.toHaveBeenCalled();
  });

  it("sizes the pool from the batch's upload URL once it is known", async () => {
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const poolSize = vi.fn((_config: UploadConfig, uploadUrl: string | null) => (uploadUrl ? 3 : 1));
    const { store } = await readyForm(["a.png", "b.png", "c.png", "d.png"], {
      poolSize,
      outcomeFor: async () => {
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return { kind: "response", status: 201, errorCode: null };
      },
    });
    await vi.waitFor(() => expect(running).toBe(3));
    expect(poolSize.mock.calls[0]![1]).toBeNull();
    expect(poolSize).toHaveBeenCalledWith(expect.anything(), expect.stringContaining("batch-1/0"), 4);
    while (gates.length > 0 || running > 0) {
      gates.splice(0).forEach((release) => release());
      await settle(20);
    }
    await uploadsSettled(store);
    expect(most).toBe(3);
  });
});

/** One draft in the browser's IndexedDB, in memory, as the tab that holds it sees it. */
function memoryKeeper(initial: SavedDraft | null = null) {
  let saved = initial;
  const keeper = {
    key: "anonymous",
    saves: 0,
    load: vi.fn(async () => saved),
    save: vi.fn(async (draft: SavedDraft) => {
      keeper.saves++;
      saved = draft;
    }),
    clear: vi.fn(async () => {
      saved = null;
    }),
    writeNow: vi.fn((draft: SavedDraft | null) => {
      saved = draft;
    }),
    release: vi.fn(),
    get saved() {
      return saved;
    },
  };
  return keeper;
}

const facts = (name: string, size = 100) => ({ name, size, type: "image/png", lastModified: 1_700_000_000_000 });
const pngAt = (name: string, size = 100) =>
  new File([syntheticImage("image/png", size) as Uint8Array<ArrayBuffer>], name, {
    type: "image/png",
    lastModified: 1_700_000_000_000,
  });

const savedImage = (id: string, name: string, batchIndex: number | null, uploaded: boolean, md5: string | null) => ({
  id,
  file: facts(name),
  label: `label of ${name}`,
  batchIndex,
  md5,
  uploaded,
  thumbnail: null,
  handle: null as KeptFileHandle | null,
});

/** A draft as the version before kept it (upload state on each image): read back, it is taken up as it was. */
const savedDraft = (
  images: ReturnType<typeof savedImage>[],
  overrides: { title?: string; batchId?: string | null; expiresAt?: number } = {},
): SavedDraft =>
  readSavedDraft({
    version: 1,
    title: "Saved faces",
    description: "kept across a reload",
    batchId: "batch-9",
    expiresAt: Date.now() + 3_600_000,
    savedAt: Date.now() - 60_000,
    images,
    ...overrides,
  })!;

const serverStatus = (files: { index: number; uploaded: boolean; removed?: boolean }[]): BatchStatus => ({
  batchId: "batch-9",
  stagingExpiresAt: new Date(Date.now() + 1_800_000).toISOString(),
  studyId: null,
  files: files.map((f) => ({ name: `f${f.index}.png`, size: 100, type: "image/png", removed: false, ...f })),
});

async function openedForm(keeper: ReturnType<typeof memoryKeeper>, options: Parameters<typeof setup>[0] = {}) {
  const context = setup({ ...options, keepsDrafts: true });
  await context.actions.loadConfig();
  await context.actions.openDraft(keeper);
  return context;
}

describe("study draft: kept across a reload", () => {
  it("saves title, labels, order, batch, upload state and thumbnails as the researcher works; never the bytes", async () => {
    const keeper = memoryKeeper();
    const { store, actions, image } = await openedForm(keeper);
    actions.setTitle("Faces");
    actions.addFiles([pngAt("a.png"), pngAt("b.png")]);
    await uploadsSettled(store);
    actions.setLabel(image("b.png").id, "second");
    actions.moveImage(image("b.png").id, 0);
    await vi.waitFor(() => expect(keeper.saved?.images[0]?.label).toBe("second"));
    await vi.waitFor(() => expect(keeper.saved?.images.every((i) => i.thumbnail !== null)).toBe(true));
    const [b, a] = [image("b.png").id, image("a.png").id];
    expect(keeper.saved).toMatchObject({
      version: 2,
      title: "Faces",
      images: [
        { id: b, file: facts("b.png") },
        { id: a, file: facts("a.png") },
      ],
      upload: {
        batchId: "batch-1",
        files: [
          { id: a, index: 0, md5: "md5-a.png", uploaded: true },
          { id: b, index: 1, md5: "md5-b.png", uploaded: true },
        ],
      },
    });
    expect(JSON.stringify(keeper.saved)).not.toContain("blob:");
    expect(keeper.saved!.expiresAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it("brings the draft back: uploaded images are done and never sent again, the study commits them", async () => {
    const keeper = memoryKeeper(
      savedDraft([savedImage("image-1", "a.png", 0, true, "md5-a"), savedImage("image-2", "b.png", 1, true, "md5-b")]),
    );
    const { upload, store, actions, puts, api } = await openedForm(keeper, {
      batchStatus: async () =>
        serverStatus([
          { index: 0, uploaded: true },
          { index: 1, uploaded: true },
        ]),
    });
    expect(store.getState()).toMatchObject({ title: "Saved faces", draftAccess: "open" });
    expect(upload().batchId).toBe("batch-9");
    expect(store.getState().draftNotice?.message).toMatch(/back: 2 images already uploaded/);
    expect(formProblems(store.getState(), upload())).toEqual([]);
    await actions.createStudy();
    expect(puts).toHaveLength(0);
    expect(api.commitStudy).toHaveBeenCalledWith({
      batchId: "batch-9",
      title: "Saved faces",
      description: "kept across a reload",
      elements: [
        { index: 0, label: "label of a.png", md5: "md5-a" },
        { index: 1, label: "label of b.png", md5: "md5-b" },
      ],
    });
    await vi.waitFor(() => expect(keeper.saved).toBeNull());
  });

  it("images not finished wait for their files; adding the same files sends only those, into their own indexes", async () => {
    const keeper = memoryKeeper(
      savedDraft([
        savedImage("image-1", "a.png", 0, true, "md5-a.png"),
        // Arrived after the last save: storage says so, and it is not sent again.
        savedImage("image-2", "b.png", 1, false, "md5-b.png"),
        savedImage("image-3", "c.png", 2, false, "md5-c.png"),
        savedImage("image-4", "d.png", null, false, null),
      ]),
    );
    const { upload, store, actions, puts, api, image } = await openedForm(keeper, {
      batchStatus: async () =>
        serverStatus([
          { index: 0, uploaded: true },
          { index: 1, uploaded: true },
          { index: 2, uploaded: false },
        ]),
    });
    expect(image("c.png")).toMatchObject({ needsFile: true, blob: null });
    expect(image("b.png")).toMatchObject({ needsFile: false, state: "uploaded" });
    expect(formProblems(store.getState(), upload())).toEqual([
      "Add the 2 images not uploaded before the page was closed again, or remove them",
    ]);
    // A file that matches nothing is a new image; the matching ones resume; the arrived ones are already there.
    actions.addFiles([pngAt("a.png"), pngAt("b.png"), pngAt("c.png"), pngAt("d.png"), pngAt("e.png")]);
    expect(store.getState().pickNotice?.alreadyAdded).toEqual([
      { name: "a.png", id: "image-1" },
      { name: "b.png", id: "image-2" },
    ]);
    await uploadsSettled(store);
    expect(store.getState().imageIds.map((id) => store.getState().images[id]!.file.name)).toEqual([
      "a.png",
      "b.png",
      "c.png",
      "d.png",
      "e.png",
    ]);
    // Only the unfinished and the new ones are sent (c.png asks for a fresh link first, so it may go last).
    expect(puts.map((p) => (p.body as File).name).sort()).toEqual(["c.png", "d.png", "e.png"]);
    expect(api.createBatch).not.toHaveBeenCalled();
    expect(api.refreshBatch.mock.calls[0]![1]).toContain(2);
    expect(puts.find((p) => (p.body as File).name === "c.png")!.url).toContain("batch-9/2");
    await actions.createStudy();
    expect(api.commitStudy.mock.calls[0]![0].elements.map((e) => e.md5)).toEqual([
      "md5-a.png",
      "md5-b.png",
      "md5-c.png",
      "md5-d.png",
      "md5-e.png",
    ]);
  });

  it("drops images the server says were removed", async () => {
    const keeper = memoryKeeper(
      savedDraft([savedImage("image-1", "a.png", 0, true, "md5-a"), savedImage("image-2", "b.png", 1, false, "x")]),
    );
    const { store } = await openedForm(keeper, {
      batchStatus: async () =>
        serverStatus([
          { index: 0, uploaded: true },
          { index: 1, uploaded: false, removed: true },
        ]),
    });
    expect(store.getState().imageIds).toEqual(["image-1"]);
  });

  it("a draft past its staging deadline is cleared with a message that says why", async () => {
    const keeper = memoryKeeper(
      savedDraft([savedImage("image-1", "a.png", 0, true, "m")], { expiresAt: Date.now() - 1 }),
    );
    const { store, api } = await openedForm(keeper);
    expect(api.getBatch).not.toHaveBeenCalled();
    expect(store.getState().imageIds).toEqual([]);
    expect(store.getState().draftNotice?.message).toMatch(
      /“Saved faces” from .* was cleared: uploads are kept for 24 hours/,
    );
    await vi.waitFor(() => expect(keeper.clear).toHaveBeenCalled());
  });

  it("a draft whose batch the API no longer knows is cleared too", async () => {
    const keeper = memoryKeeper(savedDraft([savedImage("image-1", "a.png", 0, true, "m")]));
    const { store } = await openedForm(keeper);
    expect(store.getState().imageIds).toEqual([]);
    expect(store.getState().draftNotice?.message).toMatch(/was cleared/);
  });

  it("a draft committed just before the page went away links to its study instead", async () => {
    const keeper = memoryKeeper(savedDraft([savedImage("image-1", "a.png", 0, true, "m")]));
    const { store } = await openedForm(keeper, {
      batchStatus: async () => ({ ...serverStatus([{ index: 0, uploaded: true }]), studyId: "S".repeat(22) }),
    });
    expect(store.getState().draftNotice).toMatchObject({ studyId: "S".repeat(22) });
    expect(store.getState().imageIds).toEqual([]);
  });

  it("text typed before the draft opens stays, and nothing is saved until it is open", async () => {
    const keeper = memoryKeeper(savedDraft([], { batchId: null }));
    const { store, actions } = setup({ keepsDrafts: true });
    await actions.loadConfig();
    actions.setTitle("typed before the draft opened");
    expect(store.getState()).toMatchObject({ draftAccess: "opening", title: "typed before the draft opened" });
    await settle(200);
    expect(keeper.save).not.toHaveBeenCalled();
    await actions.openDraft(keeper);
    expect(store.getState()).toMatchObject({ draftAccess: "open", title: "typed before the draft opened" });
    await vi.waitFor(() => expect(keeper.saved?.title).toBe("typed before the draft opened"));
  });

  it("files picked while the saved draft is read join it once it is back", async () => {
    const keeper = memoryKeeper(savedDraft([savedImage("image-1", "a.png", 0, false, "md5-a.png")]));
    const { store, actions, puts } = setup({
      keepsDrafts: true,
      batchStatus: async () => serverStatus([{ index: 0, uploaded: false }]),
    });
    await actions.loadConfig();
    actions.addFiles([pngAt("a.png")]);
    await actions.openDraft(keeper);
    await uploadsSettled(store);
    expect(store.getState().imageIds).toEqual(["image-1"]);
    expect(puts.map((p) => p.url)).toEqual([expect.stringContaining("batch-9/0")]);
  });

  it("resumes waiting images through kept file handles, asking permission first", async () => {
    const handle = (file: File, permission: PermissionState) => ({
      kind: "file" as const,
      name: file.name,
      getFile: vi.fn(async () => file),
      queryPermission: vi.fn(async (): Promise<PermissionState> => "prompt"),
      requestPermission: vi.fn(async () => permission),
    });
    const granted = handle(pngAt("a.png"), "granted");
    const refused = handle(pngAt("b.png"), "denied");
    const keeper = memoryKeeper(
      savedDraft([
        { ...savedImage("image-1", "a.png", 0, false, "md5-a.png"), handle: granted },
        { ...savedImage("image-2", "b.png", 1, false, "md5-b.png"), handle: refused },
      ]),
    );
    const { store, actions, puts, image } = await openedForm(keeper, {
      batchStatus: async () =>
        serverStatus([
          { index: 0, uploaded: false },
          { index: 1, uploaded: false },
        ]),
    });
    await actions.resumeFromHandles();
    await vi.waitFor(() => expect(image("a.png").state).toBe("uploaded"));
    expect(granted.requestPermission).toHaveBeenCalledWith({ mode: "read" });
    expect(refused.getFile).not.toHaveBeenCalled();
    expect(image("b.png").needsFile).toBe(true);
    expect(puts).toHaveLength(1);
    expect(store.getState().imageIds).toHaveLength(2);
  });

  it("Discard draft stops the uploads, drops the batch and clears the saved draft", async () => {
    const keeper = memoryKeeper();
    const { upload, store, actions, api } = await openedForm(keeper);
    actions.setTitle("Short-lived");
    actions.addFiles([pngAt("a.png")]);
    await uploadsSettled(store);
    await vi.waitFor(() => expect(keeper.saved).not.toBeNull());
    actions.discardDraft();
    expect(api.discardBatch).toHaveBeenCalledWith("batch-1");
    expect(store.getState()).toMatchObject({ title: "", imageIds: [], announcement: "Draft discarded" });
    expect(upload().batchId).toBeNull();
    await vi.waitFor(() => expect(keeper.saved).toBeNull());
  });
});

/** An open, kept draft with a title and one image whose upload goes on until it is aborted (`upload` tells). */
async function draftMidUpload(title: string) {
  let upload: AbortSignal | undefined;
  const keeper = memoryKeeper();
  const context = await openedForm(keeper, {
    outcomeFor: (request) => {
      upload = request.signal;
      return new Promise((resolve) => request.signal.addEventListener("abort", () => resolve({ kind: "aborted" })));
    },
  });
  context.actions.setTitle(title);
  context.actions.addFiles([pngAt("a.png")]);
  await vi.waitFor(() => expect(keeper.saved?.upload.batchId).toBe("batch-1"));
  await vi.waitFor(() => expect(upload).toBeDefined());
  return { ...context, keeper, uploadSignal: upload! };
}

/** Opens the keeper's draft with the API's answer about its batch held back: the draft is still being read. */
async function openingDraft(keeper: ReturnType<typeof memoryKeeper>) {
  let answer!: (status: BatchStatus) => void;
  const context = setup({ keepsDrafts: true, batchStatus: () => new Promise((resolve) => (answer = resolve)) });
  await context.actions.loadConfig();
  const opening = context.actions.openDraft(keeper);
  await vi.waitFor(() => expect(context.api.getBatch).toHaveBeenCalled());
  return { ...context, opening, answer: (status: BatchStatus) => answer(status) };
}

describe("study draft: whose draft is open", () => {
  it("text typed while the saved draft is read stays; the rest of the draft comes back around it", async () => {
    const keeper = memoryKeeper(savedDraft([savedImage("image-1", "a.png", 0, true, "md5-a")]));
    const { store, actions, opening, answer } = await openingDraft(keeper);
    actions.setDescription("typed at once");
    actions.setDescription("typed at once, and more");
    answer(serverStatus([{ index: 0, uploaded: true }]));
    await opening;
    expect(store.getState()).toMatchObject({
      draftAccess: "open",
      title: "Saved faces",
      description: "typed at once, and more",
      imageIds: ["image-1"],
    });
    await vi.waitFor(() => expect(keeper.saved?.description).toBe("typed at once, and more"));
  });

  it("closed for another user: uploads stop, the form empties, the saved draft and its batch wait for their owner", async () => {
    const { store, actions, api, keeper: alices, upload, uploadSignal } = await draftMidUpload("Alice's");
    await actions.closeDraft("keep");
    expect(uploadSignal.aborted).toBe(true);
    expect(store.getState()).toMatchObject({ draftAccess: "opening", title: "", imageIds: [] });
    expect(upload().batchId).toBeNull();
    expect(alices.release).toHaveBeenCalled();
    expect(api.discardBatch).not.toHaveBeenCalled();
    actions.setTitle("typed by the next user");
    await settle(200);
    expect(alices.saved).toMatchObject({ title: "Alice's", upload: { batchId: "batch-1" } });

    const bobs = memoryKeeper(savedDraft([], { title: "Bob's", batchId: null }));
    await actions.openDraft(bobs);
    expect(store.getState()).toMatchObject({ draftAccess: "open", title: "typed by the next user" });
    await vi.waitFor(() => expect(bobs.saved?.title).toBe("typed by the next user"));
    expect(alices.saved?.title).toBe("Alice's");
  });

  it("an opening closed midway never fills the form with the draft it was reading", async () => {
    const alices = memoryKeeper(savedDraft([savedImage("image-1", "a.png", 0, true, "md5-a")], { title: "Alice's" }));
    const { store, actions, opening, answer } = await openingDraft(alices);
    await actions.closeDraft("keep");
    const bobs = memoryKeeper();
    await actions.openDraft(bobs);
    answer(serverStatus([{ index: 0, uploaded: true }]));
    await opening;
    expect(store.getState()).toMatchObject({ draftAccess: "open", title: "", imageIds: [], draftNotice: null });
  });

  it("closed to be kept, the change typed a moment before is written first: nothing typed is lost", async () => {
    const keeper = memoryKeeper();
    const { actions } = await openedForm(keeper);
    actions.setTitle("typed just before");
    await actions.closeDraft("keep");
    expect(keeper.saved?.title).toBe("typed just before");
    expect(keeper.save.mock.invocationCallOrder.at(-1)).toBeLessThan(keeper.release.mock.invocationCallOrder[0]!);
  });

  it("saved at once (the page is being hidden): what was typed a moment ago is written in the same task", async () => {
    const keeper = memoryKeeper();
    const { actions } = await openedForm(keeper);
    actions.setTitle("typed a moment before");
    await vi.waitFor(() => expect(keeper.saved?.title).toBe("typed a moment before"));
    actions.setTitle("typed a moment before the reload");
    actions.saveDraftNow();
    expect(keeper.saved?.title).toBe("typed a moment before the reload");
    await settle(200);
    expect(keeper.saved?.title).toBe("typed a moment before the reload");
  });

  it("lost to another tab: not one more write, and the batch is left for that tab", async () => {
    const { store, actions, api, keeper, uploadSignal } = await draftMidUpload("Taken by another tab");
    const saves = keeper.saves;
    actions.setTitle("typed as the other tab took it");
    await actions.closeDraft("lost");
    expect(uploadSignal.aborted).toBe(true);
    expect(api.discardBatch).not.toHaveBeenCalled();
    expect(store.getState()).toMatchObject({ draftAccess: "opening", title: "" });
    await settle(200);
    expect(keeper.saves).toBe(saves);
    expect(keeper.saved?.title).toBe("Taken by another tab");
  });

  it("closed on sign-out: uploads stop, the batch is discarded and the saved draft deleted", async () => {
    const { store, actions, api, keeper, uploadSignal } = await draftMidUpload("Signing out");
    await actions.closeDraft("forget");
    expect(uploadSignal.aborted).toBe(true);
    expect(api.discardBatch).toHaveBeenCalledWith("batch-1");
    expect(keeper.saved).toBeNull();
    expect(keeper.clear.mock.invocationCallOrder[0]).toBeLessThan(keeper.release.mock.invocationCallOrder[0]!);
    expect(store.getState()).toMatchObject({ draftAccess: "opening", title: "", imageIds: [] });
  });
});

describe("study draft: order", () => {
  it("moves images, says where to, and commits in the order shown", async () => {
    const { store, actions, api, image } = await readyForm(["a.png", "b.png", "c.png"]);
    await uploadsSettled(store);
    actions.moveImage(image("c.png").id, 0);
    expect(store.getState().announcement).toBe("c.png moved to position 1 of 3");
    actions.moveImage(image("a.png").id, 5);
    expect(store.getState().imageIds.map((id) => store.getState().images[id]!.file.name)).toEqual([
      "c.png",
      "b.png",
      "a.png",
    ]);
    await actions.createStudy();
    expect(api.commitStudy.mock.calls[0]![0].elements.map((e) => e.index)).toEqual([2, 1, 0]);
  });
});

describe("study draft: duplicates and undo", () => {
  const named = (store: ReturnType<typeof setup>["store"]) =>
    store.getState().imageIds.map((id) => store.getState().images[id]!.file.name);

  it("a file already in the list is not added again, in the same pick or a later one; its row is pointed out", async () => {
    const { store, actions, puts, image } = setup();
    await actions.loadConfig();
    const photo = pngAt("photo.png");
    actions.addFiles([photo, pngAt("photo.png"), pngAt("other.png")]);
    await uploadsSettled(store);
    actions.addFiles([pngAt("photo.png"), pngAt("new.png")]);
    expect(named(store)).toEqual(["photo.png", "other.png", "new.png"]);
    expect(store.getState().pickNotice?.alreadyAdded).toEqual([{ name: "photo.png", id: image("photo.png").id }]);
    expect(store.getState().announcement).toBe("1 image added. photo.png is already in the list: not added again.");
    await uploadsSettled(store);
    expect(puts.map((p) => (p.body as File).name)).toEqual(["photo.png", "other.png", "new.png"]);
    // A file that only shares the name (another size or date) is another image.
    actions.addFiles([pngAt("photo.png", 300)]);
    expect(named(store)).toEqual(["photo.png", "other.png", "new.png", "photo.png"]);
  });

  it("a file taken for one in the list, found once hashed to hold other bytes, is added as another image", async () => {
    const { store, actions, puts } = setup({
      hashMd5: async (blob) =>
        createHash("md5")
          .update(new Uint8Array(await blob.arrayBuffer()))
          .digest("base64"),
    });
    await actions.loadConfig();
    const first = pngAt("scan.png");
    actions.addFiles([first]);
    await uploadsSettled(store);
    // Same name, size and date, one byte different (the end of the file, past what the check reads).
    const bytes = new Uint8Array(await first.arrayBuffer());
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 1;
    actions.addFiles([new File([bytes], "scan.png", { type: "image/png", lastModified: first.lastModified })]);
    expect(store.getState().pickNotice?.alreadyAdded).toHaveLength(1);
    await vi.waitFor(() => expect(named(store)).toEqual(["scan.png", "scan.png"]));
    expect(store.getState().pickNotice).toBeNull();
    await uploadsSettled(store);
    expect(puts).toHaveLength(2);
    // The same bytes again are the same image: nothing is added.
    actions.addFiles([first]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(named(store)).toEqual(["scan.png", "scan.png"]);
  });

  it("Undo puts a removed image back where it was, upload and all; without Undo the removal becomes final", async () => {
    const { store, actions, api, puts, image } = setup({ undoWindowMs: 60 });
    await actions.loadConfig();
    actions.addFiles([pngAt("a.png"), pngAt("b.png"), pngAt("c.png")]);
    await uploadsSettled(store);
    const b = image("b.png").id;
    actions.removeImage(b);
    expect(named(store)).toEqual(["a.png", "c.png"]);
    expect(store.getState().removed?.image.file.name).toBe("b.png");
    actions.undoRemove();
    expect(named(store)).toEqual(["a.png", "b.png", "c.png"]);
    expect(image("b.png").state).toBe("uploaded");
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(api.removeBatchFile).not.toHaveBeenCalled();
    actions.removeImage(b);
    await vi.waitFor(() => expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 1));
    expect(store.getState().removed).toBeNull();
    actions.undoRemove();
    expect(named(store)).toEqual(["a.png", "c.png"]);
    expect(puts).toHaveLength(3);
  });

  it("an image removed on its way stops at once (its staged copy goes); Undo sends it again", async () => {
    const { store, actions, api, puts, image } = setup({
      undoWindowMs: 60_000,
      outcomeFor: (request) =>
        (request.body as File).name === "bad.png"
          ? { kind: "response", status: 500, errorCode: null }
          : { kind: "response", status: 201, errorCode: null },
    });
    await actions.loadConfig();
    actions.addFiles([pngAt("good.png"), pngAt("bad.png")]);
    await uploadsSettled(store);
    expect(image("bad.png").state).toBe("failed");
    const sentBefore = puts.length;
    actions.removeImage(image("bad.png").id);
    await vi.waitFor(() => expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 1));
    actions.undoRemove();
    expect(named(store)).toEqual(["good.png", "bad.png"]);
    await vi.waitFor(() => expect(puts.length).toBeGreaterThan(sentBefore));
    expect((puts.at(-1)!.body as File).name).toBe("bad.png");
  });

  it("Create study makes a removal final at once: the study never holds the removed image", async () => {
    const { store, actions, api, image } = setup({ undoWindowMs: 60_000 });
    await actions.loadConfig();
    actions.setTitle("T");
    actions.addFiles([pngAt("a.png"), pngAt("b.png")]);
    await uploadsSettled(store);
    actions.removeImage(image("a.png").id);
    await actions.createStudy();
    expect(api.removeBatchFile).toHaveBeenCalledWith("batch-1", 0);
    expect(api.commitStudy.mock.calls[0]![0].elements.map((e) => e.md5)).toEqual(["md5-b.png"]);
  });
});
