import { ApiRequestError, type CommitStudyRequest, type CreateBatchRequest, type Study } from "@study-uploader/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
import { createStudySession, type SessionFile, type StudySessionEvents } from "./study-session.js";
import { settle } from "./testing/deferred.js";

const created: PutBlobOutcome = { kind: "response", status: 201, errorCode: null };

const file = (id: string, size = 10): SessionFile => ({
  id,
  body: new Blob([new Uint8Array(size)]),
  name: `${id}.png`,
  type: "image/png",
});

const links = (batchId: string, indexes: number[]) => ({
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  files: indexes.map((index) => ({ index, uploadUrl: `http://storage/${batchId}/${index}`, headers: {} })),
});

/** A fake API and storage; each PUT answers `answer(request)` (201 by default). */
function setup(
  answer: (request: PutBlobRequest) => PutBlobOutcome | Promise<PutBlobOutcome> = () => created,
  hash: (blob: Blob) => Promise<string> = async (blob) => `md5-${blob.size}`,
) {
  let batches = 0;
  const api = {
    createBatch: vi.fn(async (request: CreateBatchRequest) => {
      const batchId = `b${++batches}`;
      return {
        batchId,
        ...links(
          batchId,
          request.files.map((_, i) => i),
        ),
      };
    }),
    refreshBatch: vi.fn(async (batchId: string, indexes: number[]) => links(batchId, indexes)),
    commitStudy: vi.fn(async (request: CommitStudyRequest): Promise<Study> => ({
      id: "S".repeat(22),
      title: request.title,
      description: request.description ?? "",
      createdAt: new Date().toISOString(),
      elements: [],
    })),
  };
  const puts: string[] = [];
  const hashMd5 = vi.fn(hash);
  const events = {
    onBatchCreated: vi.fn(),
    onFileState: vi.fn(),
    onFileHashed: vi.fn(),
    onCommitStarted: vi.fn(),
  } satisfies StudySessionEvents;
  const session = createStudySession({
    api,
    hashMd5,
    events,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    transport: async (request) => {
      puts.push(new URL(request.url).pathname);
      request.onProgress(request.body.size);
      return answer(request);
    },
  });
  const submit = (files: SessionFile[], only?: (id: string) => boolean) =>
    session.submit({
      files,
      only,
      concurrency: 2,
      details: () => ({ title: " Faces ", description: " ", labelOf: (id) => ` label ${id} ` }),
    });
  return { api, puts, hashMd5, events, session, submit };
}

afterEach(() => vi.useRealTimers());

describe("study session", () => {
  it("announces a batch, uploads every file and commits trimmed details with each file's MD5", async () => {
    const { api, puts, events, submit } = setup();
    const outcome = await submit([file("a", 3), file("b", 4)]);
    expect(outcome).toMatchObject({ kind: "committed", study: { title: "Faces" } });
    expect(api.createBatch).toHaveBeenCalledWith({
      files: [
        { name: "a.png", size: 3, type: "image/png" },
        { name: "b.png", size: 4, type: "image/png" },
      ],
    });
    expect(events.onBatchCreated).toHaveBeenCalledWith("b1", ["a", "b"]);
    expect(puts).toEqual(["/b1/0", "/b1/1"]);
    expect(events.onCommitStarted).toHaveBeenCalledTimes(1);
    expect(api.commitStudy).toHaveBeenCalledWith({
      batchId: "b1",
      title: "Faces",
      description: undefined,
      elements: [
        { index: 0, label: "label a", md5: "md5-3" },
        { index: 1, label: "label b", md5: "md5-4" },
      ],
    });
  });

  it("commits nothing while a file failed; the next submit sends only that file, with a fresh link", async () => {
    let refuse = true;
    const { api, puts, hashMd5, submit } = setup((request) =>
      refuse && request.url.endsWith("/1") ? { kind: "response", status: 500, errorCode: null } : created,
    );
    const files = [file("a", 1), file("b", 2), file("c", 3)];
    expect(await submit(files)).toEqual({ kind: "files-failed", failedIds: ["b"] });
    expect(api.commitStudy).not.toHaveBeenCalled();

    refuse = false;
    puts.length = 0;
    expect((await submit(files)).kind).toBe("committed");
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.refreshBatch).toHaveBeenCalledWith("b1", [1]);
    expect(puts).toEqual(["/b1/1"]);
    // Each file was hashed once, however often it was sent.
    expect(hashMd5).toHaveBeenCalledTimes(3);
  });

  it("maps a 422 onto the files it names; they are sent again before the next commit", async () => {
    const { api, puts, events, submit } = setup();
    api.commitStudy.mockRejectedValueOnce(
      new ApiRequestError(422, "verification_failed", "Not committed: 1 file(s) failed verification", [
        { index: 1, problem: "content is not a PNG image" },
      ]),
    );
    const files = [file("a"), file("fake")];
    expect(await submit(files)).toEqual({
      kind: "refused",
      message: "Not committed: 1 file(s) failed verification",
      problems: [{ id: "fake", problem: "content is not a PNG image" }],
    });
    expect(events.onFileState).toHaveBeenCalledWith("fake", { status: "failed", reason: "content is not a PNG image" });

    puts.length = 0;
    expect((await submit(files)).kind).toBe("committed");
    expect(api.refreshBatch).toHaveBeenCalledWith("b1", [1]);
    expect(puts).toEqual(["/b1/1"]);
  });

  it("retries a commit that failed without sending any file again", async () => {
    const { api, puts, submit } = setup();
    api.commitStudy.mockRejectedValueOnce(new ApiRequestError(503, "storage_unavailable", "Storage is not answering"));
    const files = [file("a")];
    expect(await submit(files)).toEqual({ kind: "error", stage: "commit", message: "Storage is not answering" });
    puts.length = 0;
    expect((await submit(files)).kind).toBe("committed");
    expect(puts).toEqual([]);
    expect(api.refreshBatch).not.toHaveBeenCalled();
  });

  it("a row's Retry sends just that file and waits for the others before committing", async () => {
    const { api, puts, submit } = setup();
    const files = [file("a"), file("b")];
    expect(await submit(files, (id) => id === "b")).toEqual({ kind: "incomplete" });
    expect(puts).toEqual(["/b1/1"]);
    expect(api.commitStudy).not.toHaveBeenCalled();
  });

  it("uses a batch prepared for exactly these files while its links are fresh", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { api, session, submit } = setup();
    const files = [file("a"), file("b")];
    session.prepare(files, 600);
    session.prepare(files, 600);
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    await submit(files);
    expect(api.createBatch).toHaveBeenCalledTimes(1);

    // Prepared for other files, or for too long: a new batch is asked for at submit.
    session.prepare([file("c")], 600);
    await submit([file("c"), file("d")]);
    expect(api.createBatch).toHaveBeenCalledTimes(3);
    session.prepare([file("e")], 600);
    vi.setSystemTime(Date.now() + 301_000);
    await submit([file("e")]);
    expect(api.createBatch).toHaveBeenCalledTimes(5);
  });

  it("a prepared request that failed costs nothing: the submit asks again", async () => {
    const { api, session, submit } = setup();
    api.createBatch.mockRejectedValueOnce(new Error("offline"));
    session.prepare([file("a")], 600);
    expect((await submit([file("a")])).kind).toBe("committed");
    expect(api.createBatch).toHaveBeenCalledTimes(2);
  });

  it("other files mean a new batch; files kept are not hashed again", async () => {
    const { api, puts, hashMd5, submit } = setup(() => ({
      kind: "response",
      status: 400,
      errorCode: "InvalidHeaderValue",
    }));
    await submit([file("a", 1)]);
    puts.length = 0;
    await submit([file("a", 1), file("b", 2)]);
    expect(api.createBatch).toHaveBeenCalledTimes(2);
    expect(puts).toEqual(["/b2/0", "/b2/1"]);
    expect(hashMd5).toHaveBeenCalledTimes(2);
  });

  it("says why it could not start when the batch is refused", async () => {
    const { api, submit } = setup();
    api.createBatch.mockRejectedValueOnce(new ApiRequestError(429, "rate_limited", "Too many batches"));
    expect(await submit([file("a")])).toEqual({ kind: "error", stage: "start", message: "Too many batches" });
  });

  it("cancel aborts the uploads in flight, commits nothing, and the cancelled run reports nothing more", async () => {
    const signals: AbortSignal[] = [];
    let finishSlowHash!: (md5: string) => void;
    const { api, events, session, submit } = setup(
      (request) =>
        new Promise((resolve) => {
          signals.push(request.signal);
          request.signal.addEventListener("abort", () => resolve({ kind: "aborted" }));
        }),
      // The third file's hash ignores the cancel and finishes late.
      (blob) => (blob.size === 3 ? new Promise((resolve) => (finishSlowHash = resolve)) : Promise.resolve("md5")),
    );
    const running = submit([file("a", 1), file("b", 2), file("c", 3)]);
    await settle(50);
    expect(signals).toHaveLength(2);
    events.onFileState.mockClear();
    events.onFileHashed.mockClear();
    expect(session.cancel()).toBe(true);
    finishSlowHash("late-md5");
    expect(await running).toEqual({ kind: "cancelled" });
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(events.onFileState).not.toHaveBeenCalled();
    expect(events.onFileHashed).not.toHaveBeenCalled();
    expect(api.commitStudy).not.toHaveBeenCalled();
    expect(session.cancel()).toBe(false);
  });
});
