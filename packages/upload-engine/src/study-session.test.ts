import { ApiRequestError } from "@study-uploader/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Md5Hasher } from "./md5.js";
import type { RetryOptions } from "./retry-policy.js";
import { sentBytesOf } from "./file-steps.js";
import { createStudySession } from "./study-session.js";
import { deferred, settle, type Deferred } from "./testing/deferred.js";
import {
  answerAll,
  fakeApi,
  fakeMd5,
  file,
  holdBatchCreation,
  manualTransport,
  ok,
  refusal,
} from "./testing/session-fakes.js";
import type { FileState } from "./upload-state.js";

/** A file's state as the tests speak of it: waiting, sending (an attempt past the first is a retry), done, failed. */
type Status =
  | { status: "queued" }
  | { status: "uploading"; attempt: number }
  | { status: "retrying"; attempt: number; reason: string }
  | { status: "done" }
  | { status: "failed"; reason: string }
  | { status: "waiting-for-bytes" | "rejected" | "paused" };

function statusOf(state: FileState): Status {
  switch (state.kind) {
    case "checking":
    case "hashing":
    case "announcing":
      return { status: "queued" };
    case "queued":
    case "uploading":
      if (state.attempt === 1)
        return state.kind === "queued" ? { status: "queued" } : { status: "uploading", attempt: 1 };
      return { status: "retrying", attempt: state.attempt, reason: state.reason ?? "" };
    case "retrying":
      return { status: "retrying", attempt: state.attempt, reason: state.reason };
    case "uploaded":
      return { status: "done" };
    case "failed":
      return { status: "failed", reason: state.reason };
    default:
      return { status: state.kind };
  }
}

function setup(
  options: { retry?: Partial<RetryOptions>; hashMd5?: Md5Hasher; linkLifetimeMs?: number; concurrency?: number } = {},
) {
  const fake = manualTransport();
  const api = fakeApi(options.linkLifetimeMs ?? 600_000);
  const states = new Map<string, Status[]>();
  const progress = new Map<string, number[]>();
  const session = createStudySession({
    api,
    transport: fake.transport,
    hashMd5: options.hashMd5 ?? fakeMd5,
    concurrency: options.concurrency ?? 3,
    retry: options.retry,
    random: () => 0.5,
    now: () => Date.now(),
    // Every change is heard at once, so the tests see each state a file passes through.
    scheduleNotify: (notify) => notify(),
  });
  session.subscribe(() => {
    for (const entry of Object.values(session.getSnapshot().files)) {
      const seen = states.get(entry.id) ?? [];
      const status = statusOf(entry.state);
      if (JSON.stringify(seen.at(-1)) !== JSON.stringify(status)) states.set(entry.id, [...seen, status]);
      const sent = sentBytesOf(entry);
      const sentSoFar = progress.get(entry.id) ?? [];
      if (sent > (sentSoFar.at(-1) ?? 0)) progress.set(entry.id, [...sentSoFar, sent]);
    }
  });
  const statuses = (id: string) => (states.get(id) ?? []).map((s) => s.status);
  const commit = (order: string[]) =>
    session.commit({
      order,
      details: () => ({ title: " Faces ", description: " ", labelOf: (id) => ` label ${id} ` }),
    });
  return { fake, api, session, states, statuses, progress, commit };
}

const ids = (count: number, prefix = "f") => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

afterEach(() => void vi.useRealTimers());

describe("study session: uploads start when files are added", () => {
  it("keeps at most `concurrency` PUTs in flight and starts them in the order files were added", async () => {
    const { fake, session, statuses } = setup();
    session.add(ids(8).map((id) => file(id)));
    await settle();
    expect(fake.inFlight).toBe(3);
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2]);
    fake.answer(fake.calls[1]!, ok);
    await settle();
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    await answerAll(fake);
    expect(fake.maxInFlight).toBe(3);
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const id of ids(8)) expect(statuses(id).at(-1)).toBe("done");
  });

  it("sends the file with the link's headers plus Content-MD5", async () => {
    const { fake, session } = setup();
    session.add([file("a", 42)]);
    await answerAll(fake);
    expect(fake.calls[0]!.request.headers).toEqual({ "x-ms-blob-type": "BlockBlob", "Content-MD5": "md5-of-42" });
    expect(fake.calls[0]!.request.body.size).toBe(42);
  });

  it("starts uploading the first file while later files are still being hashed, one hash at a time", async () => {
    const hashes: Deferred<string>[] = [];
    const { fake, session } = setup({
      hashMd5: () => {
        const hash = deferred<string>();
        hashes.push(hash);
        return hash.promise;
      },
    });
    session.add(ids(3).map((id) => file(id)));
    await settle();
    expect(hashes).toHaveLength(1);
    hashes[0]!.resolve("md5-0");
    await settle();
    expect(fake.calls.map((c) => c.index)).toEqual([0]);
    expect(hashes).toHaveLength(2);
    hashes[1]!.resolve("md5-1");
    await settle();
    hashes[2]!.resolve("md5-2");
    await answerAll(fake);
    expect(fake.calls.map((c) => c.request.headers["Content-MD5"])).toEqual(["md5-0", "md5-1", "md5-2"]);
  });

  it("adding more files grows the same batch: their indexes follow, uploads start at once", async () => {
    const { fake, api, session, commit } = setup();
    session.add([file("a"), file("b")]);
    await answerAll(fake);
    session.add([file("c"), file("d")]);
    await answerAll(fake);
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.addBatchFiles).toHaveBeenCalledWith("b1", {
      files: [
        { name: "c.png", size: 100, type: "image/png" },
        { name: "d.png", size: 100, type: "image/png" },
      ],
    });
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0", "b1/g1/1", "b1/g1/2", "b1/g1/3"]);
    const outcome = await commit(["a", "b", "c", "d"]);
    expect(outcome.kind).toBe("committed");
    expect(api.commitStudy.mock.calls[0]![0].elements.map((e) => e.index)).toEqual([0, 1, 2, 3]);
  });

  it("files added while the batch is being created join it instead of starting another", async () => {
    const { fake, api, session } = setup();
    const creation = holdBatchCreation(api);
    session.add([file("a")]);
    session.add([file("b")]);
    await settle();
    expect(api.addBatchFiles).not.toHaveBeenCalled();
    creation.resolve();
    await answerAll(fake);
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.addBatchFiles).toHaveBeenCalledTimes(1);
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0", "b1/g1/1"]);
  });

  it("the same file id added twice is one image", async () => {
    const { fake, api, session } = setup();
    session.add([file("a")]);
    session.add([file("a")]);
    await answerAll(fake);
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    expect(api.addBatchFiles).not.toHaveBeenCalled();
    expect(fake.calls).toHaveLength(1);
  });
});

describe("study session: removing a file", () => {
  it("aborts its upload in flight, deletes its staged blob and leaves the others going", async () => {
    const { fake, api, session, commit, statuses } = setup();
    session.add(ids(3).map((id) => file(id)));
    await settle();
    const removed = session.remove("f1");
    await removed;
    expect(fake.calls[1]!.request.signal.aborted).toBe(true);
    expect(api.removeBatchFile).toHaveBeenCalledWith("b1", 1);
    expect(statuses("f1")).not.toContain("failed");
    await answerAll(fake);
    const outcome = await commit(["f0", "f2"]);
    expect(outcome.kind).toBe("committed");
    expect(api.commitStudy.mock.calls[0]![0].elements.map((e) => e.index)).toEqual([0, 2]);
  });

  it("a file removed while its batch is being created is never sent, and is deleted once it has an index", async () => {
    const { fake, api, session } = setup();
    const creation = holdBatchCreation(api);
    session.add([file("a"), file("b")]);
    await settle();
    expect(api.createBatch).toHaveBeenCalledTimes(1);
    const removed = session.remove("b");
    creation.resolve();
    await removed;
    await answerAll(fake);
    expect(fake.calls.map((c) => c.index)).toEqual([0]);
    expect(api.removeBatchFile).toHaveBeenCalledWith("b1", 1);
  });

  it("files added after a removal are announced only once the removal is answered (the batch's limit has room)", async () => {
    const { fake, api, session } = setup();
    session.add([file("a")]);
    await answerAll(fake);
    const deletion = deferred<void>();
    api.removeBatchFile.mockImplementationOnce(() => deletion.promise);
    const removed = session.remove("a");
    session.add([file("b")]);
    await settle();
    expect(api.removeBatchFile).toHaveBeenCalledWith("b1", 0);
    expect(api.addBatchFiles).not.toHaveBeenCalled();
    deletion.resolve();
    await removed;
    await answerAll(fake);
    expect(api.addBatchFiles).toHaveBeenCalledTimes(1);
  });

  it("a hash that finishes after the removal starts no upload", async () => {
    const slowHash = deferred<string>();
    // A hasher that does not watch the signal, finishing late.
    const { fake, session } = setup({ hashMd5: () => slowHash.promise });
    session.add([file("a")]);
    await settle();
    await session.remove("a");
    slowHash.resolve("late");
    await settle();
    expect(fake.calls).toHaveLength(0);
  });
});

describe("study session: failures and retries", () => {
  it("retries transient failures after a jittered exponential backoff, then succeeds", async () => {
    vi.useFakeTimers();
    const { fake, session, states } = setup({ retry: { baseDelayMs: 1000 } });
    session.add([file("a")]);
    await vi.advanceTimersByTimeAsync(0);
    fake.answer(fake.calls[0]!, refusal(503, "ServerBusy"));
    await vi.advanceTimersByTimeAsync(0);
    expect(states.get("a")?.at(-1)).toEqual({ status: "retrying", attempt: 2, reason: "storage error (503)" });
    // random() = 0.5 → first delay 500 ms of a 1000 ms ceiling.
    await vi.advanceTimersByTimeAsync(499);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(2);
    fake.answer(fake.calls[1]!, { kind: "network-error" });
    // Second delay: 0.5 × 2000 ms.
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(3);
    fake.answer(fake.calls[2]!, ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.get("a")).toEqual([
      { status: "queued" },
      { status: "uploading", attempt: 1 },
      { status: "retrying", attempt: 2, reason: "storage error (503)" },
      { status: "retrying", attempt: 3, reason: "network error" },
      { status: "done" },
    ]);
  });

  it("gives up after the bounded number of attempts and says why; commit reports the failed file", async () => {
    vi.useFakeTimers();
    const { fake, session, states, commit } = setup({ retry: { maxAttempts: 3, baseDelayMs: 10 } });
    session.add([file("a"), file("b")]);
    await vi.advanceTimersByTimeAsync(0);
    fake.answer(
      fake.calls.find((c) => c.index === 1)!,
      ok,
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      await vi.advanceTimersByTimeAsync(100);
      fake.answer(
        fake.pending().find((c) => c.index === 0)!,
        refusal(500),
      );
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(states.get("a")?.at(-1)).toEqual({
      status: "failed",
      reason: "gave up after 3 attempts: storage error (500)",
    });
    expect(await commit(["a", "b"])).toEqual({ kind: "files-failed", failedIds: ["a"] });
  });

  it("fails at once, without retrying, when storage refuses the file for good; retry sends only that file", async () => {
    const { fake, api, session, commit, states } = setup();
    session.add([file("a"), file("b")]);
    await settle();
    fake.answer(fake.calls[0]!, refusal(400, "Md5Mismatch"));
    fake.answer(fake.calls[1]!, ok);
    await settle();
    expect(fake.calls).toHaveLength(2);
    expect(states.get("a")?.at(-1)).toMatchObject({ status: "failed", reason: expect.stringMatching(/checksum/) });
    session.retry();
    await answerAll(fake);
    expect(fake.calls.slice(2).map((c) => c.index)).toEqual([0]);
    expect((await commit(["a", "b"])).kind).toBe("committed");
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
  });

  it("renews expired links with one coalesced refresh and continues with the fresh URLs", async () => {
    const { fake, api, session } = setup();
    session.add(ids(3).map((id) => file(id)));
    await settle();
    for (const call of fake.calls) fake.answer(call, refusal(403, "AuthorizationFailure"));
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledTimes(1);
    expect(api.refreshBatch).toHaveBeenCalledWith("b1", [0, 1, 2]);
    expect(fake.calls.slice(3).map((c) => c.path)).toEqual(["b1/g2/0", "b1/g2/1", "b1/g2/2"]);
  });

  it("does not refresh again for a 403 that arrives after another upload already renewed the links", async () => {
    const { fake, api, session } = setup();
    session.add(ids(2).map((id) => file(id)));
    await settle();
    fake.answer(fake.calls[0]!, refusal(403, "AuthenticationFailed"));
    await settle();
    expect(api.refreshBatch).toHaveBeenCalledTimes(1);
    fake.answer(fake.calls[1]!, refusal(403, "AuthenticationFailed"));
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledTimes(1);
    expect(
      fake.calls
        .slice(2)
        .map((c) => c.path)
        .sort(),
    ).toEqual(["b1/g2/0", "b1/g2/1"]);
  });

  it("renews links that are about to expire before sending", async () => {
    const { fake, api, session } = setup({ linkLifetimeMs: 5_000 });
    session.add(ids(2).map((id) => file(id)));
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledTimes(1);
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g2/0", "b1/g2/1"]);
  });

  it.each([
    ["403 AuthorizationPermissionMismatch (Azurite)", refusal(403, "AuthorizationPermissionMismatch")],
    ["409 (Azure)", refusal(409, "UnauthorizedBlobOverwrite")],
  ])("treats %s as already uploaded", async (_name, outcome) => {
    const { fake, session, statuses, progress } = setup();
    session.add([file("a")]);
    await settle();
    fake.answer(fake.calls[0]!, outcome);
    await settle();
    expect(fake.calls).toHaveLength(1);
    expect(statuses("a").at(-1)).toBe("done");
    expect(progress.get("a")?.at(-1)).toBe(100);
  });

  it("never reports progress going backwards, also across retries", async () => {
    vi.useFakeTimers();
    const { fake, session, progress } = setup();
    session.add([file("a")]);
    await vi.advanceTimersByTimeAsync(0);
    const first = fake.calls[0]!.request;
    first.onProgress(5);
    first.onProgress(50);
    first.onProgress(80);
    first.onProgress(70);
    fake.answer(fake.calls[0]!, { kind: "network-error" });
    await vi.advanceTimersByTimeAsync(10_000);
    const second = fake.calls[1]!.request;
    second.onProgress(20);
    second.onProgress(90);
    second.onProgress(150);
    fake.answer(fake.calls[1]!, ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(progress.get("a")).toEqual([5, 50, 80, 90, 100]);
  });

  it("retries an attempt that stalls", async () => {
    vi.useFakeTimers();
    const { fake, session, states, statuses } = setup({ retry: { stallTimeoutMs: 3_000, baseDelayMs: 100 } });
    session.add([file("a")]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(states.get("a")?.at(-1)).toEqual({ status: "retrying", attempt: 2, reason: "no progress for 3 s" });
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.calls).toHaveLength(2);
    fake.answer(fake.calls[1]!, ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses("a").at(-1)).toBe("done");
  });

  it("a batch the API refuses fails its files with the reason; retry announces them again", async () => {
    const { fake, api, session, states } = setup();
    api.createBatch.mockRejectedValueOnce(new ApiRequestError(503, "storage_unavailable", "Storage is unavailable"));
    session.add([file("a")]);
    await settle();
    expect(states.get("a")?.at(-1)).toEqual({
      status: "failed",
      reason: "could not start the upload (Storage is unavailable)",
    });
    session.retry();
    await answerAll(fake);
    expect(api.createBatch).toHaveBeenCalledTimes(2);
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0"]);
  });
});

describe("study session: commit", () => {
  it("commits at once when every file has arrived: one request with trimmed details, MD5s, in the study's order", async () => {
    const { fake, api, session, commit } = setup();
    session.add([file("a", 3), file("b", 4)]);
    await answerAll(fake);
    const outcome = await commit(["b", "a"]);
    expect(outcome).toMatchObject({ kind: "committed", study: { title: "Faces" } });
    expect(api.commitStudy).toHaveBeenCalledWith({
      batchId: "b1",
      title: "Faces",
      description: undefined,
      elements: [
        { index: 1, label: "label b", md5: "md5-of-4" },
        { index: 0, label: "label a", md5: "md5-of-3" },
      ],
    });
  });

  it("asked while files upload, commits right after the last one arrives", async () => {
    const { fake, api, session, commit } = setup();
    session.add(ids(2).map((id) => file(id)));
    await settle();
    const outcome = commit(ids(2));
    fake.answer(fake.calls[0]!, ok);
    await settle();
    expect(api.commitStudy).not.toHaveBeenCalled();
    fake.answer(fake.calls[1]!, ok);
    expect((await outcome).kind).toBe("committed");
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
  });

  it("cancelCommit stops waiting; the uploads go on", async () => {
    const { fake, api, session, commit, statuses } = setup();
    session.add([file("a")]);
    await settle();
    const outcome = commit(["a"]);
    await settle();
    expect(session.cancelCommit()).toBe(true);
    expect(await outcome).toEqual({ kind: "cancelled" });
    await answerAll(fake);
    expect(statuses("a").at(-1)).toBe("done");
    expect(api.commitStudy).not.toHaveBeenCalled();
    expect(session.cancelCommit()).toBe(false);
  });

  it("maps a 422 onto the files it names; retry sends them again with a fresh link, then the commit succeeds", async () => {
    const { fake, api, session, commit, states } = setup();
    session.add([file("a"), file("b")]);
    await answerAll(fake);
    api.commitStudy.mockRejectedValueOnce(
      new ApiRequestError(422, "verification_failed", "Not committed: 1 file did not verify", [
        { index: 1, problem: "content does not match its MD5" },
      ]),
    );
    const refused = await commit(["a", "b"]);
    expect(refused).toEqual({
      kind: "refused",
      message: "Not committed: 1 file did not verify",
      problems: [{ id: "b", problem: "content does not match its MD5" }],
    });
    expect(states.get("b")?.at(-1)).toEqual({ status: "failed", reason: "content does not match its MD5" });
    session.retry();
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledWith("b1", [1]);
    expect(fake.calls.slice(2).map((c) => c.path)).toEqual(["b1/g2/1"]);
    expect((await commit(["a", "b"])).kind).toBe("committed");
  });

  it("a commit that failed can be asked again without sending any file again", async () => {
    const { fake, api, session, commit } = setup();
    session.add([file("a")]);
    await answerAll(fake);
    api.commitStudy.mockRejectedValueOnce(new ApiRequestError(0, "network_error", "Could not reach the server"));
    expect(await commit(["a"])).toEqual({ kind: "error", stage: "commit", message: "Could not reach the server" });
    expect((await commit(["a"])).kind).toBe("committed");
    expect(fake.calls).toHaveLength(1);
  });

  it.each([
    [409, "commit_in_progress"],
    [503, "server_busy"],
  ] as const)("asks again when the API answers %i %s (the batch, or the instance, is busy)", async (status, code) => {
    vi.useFakeTimers();
    const { fake, api, session, commit } = setup();
    session.add([file("a")]);
    await vi.advanceTimersByTimeAsync(0);
    fake.answer(fake.calls[0]!, ok);
    await vi.advanceTimersByTimeAsync(0);
    api.commitStudy.mockRejectedValueOnce(new ApiRequestError(status, code, "busy"));
    const outcome = commit(["a"]);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(api.commitStudy).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await outcome).kind).toBe("committed");
    expect(api.commitStudy).toHaveBeenCalledTimes(2);
  });

  it("a commit waits for a removal still on its way, so it names the batch as it is", async () => {
    const { fake, api, session, commit } = setup();
    session.add([file("a"), file("b")]);
    await answerAll(fake);
    const deletion = deferred<void>();
    api.removeBatchFile.mockImplementationOnce(() => deletion.promise);
    void session.remove("b");
    const outcome = commit(["a"]);
    await settle();
    expect(api.commitStudy).not.toHaveBeenCalled();
    deletion.resolve();
    expect((await outcome).kind).toBe("committed");
  });

  it("after a commit the session starts over: the next file starts a new batch", async () => {
    const { fake, api, session, commit } = setup();
    session.add([file("a")]);
    await answerAll(fake);
    await commit(["a"]);
    session.add([file("a")]);
    await answerAll(fake);
    expect(api.createBatch).toHaveBeenCalledTimes(2);
    expect(fake.calls.map((c) => c.path)).toEqual(["b1/g1/0", "b2/g1/0"]);
  });

  it("refuses to commit images it was never given", async () => {
    const { fake, session, commit } = setup();
    session.add([file("a")]);
    await answerAll(fake);
    expect(await commit(["a", "ghost"])).toMatchObject({ kind: "error", stage: "start" });
  });

  it("raising the concurrency starts waiting uploads at once", async () => {
    const { fake, session } = setup({ concurrency: 2 });
    session.add(ids(5).map((id) => file(id)));
    await settle();
    expect(fake.inFlight).toBe(2);
    session.setConcurrency(4);
    await settle();
    expect(fake.inFlight).toBe(4);
    await answerAll(fake);
  });
});

describe("study session: a batch restored after a reload", () => {
  const restored = (id: string, index: number, options: { md5?: string | null; uploaded?: boolean } = {}) => ({
    id,
    index,
    name: `${id}.png`,
    size: 100,
    type: "image/png" as const,
    md5: options.md5 === undefined ? "md5-of-100" : options.md5,
    uploaded: options.uploaded ?? false,
  });

  it("commits files that arrived before the reload without sending any of them again", async () => {
    const { fake, api, session, commit } = setup();
    session.restore("b9", [restored("a", 0, { uploaded: true }), restored("b", 1, { uploaded: true })]);
    const outcome = await commit(["b", "a"]);
    expect(outcome.kind).toBe("committed");
    expect(fake.calls).toHaveLength(0);
    expect(api.createBatch).not.toHaveBeenCalled();
    expect(api.commitStudy.mock.calls[0]![0]).toMatchObject({
      batchId: "b9",
      elements: [
        { index: 1, md5: "md5-of-100" },
        { index: 0, md5: "md5-of-100" },
      ],
    });
  });

  it("a file not yet arrived waits for its bytes, then goes into its own index with a fresh link", async () => {
    const { fake, api, session, commit, statuses } = setup();
    session.restore("b9", [restored("a", 0, { uploaded: true }), restored("b", 1)]);
    expect((await commit(["a", "b"])).kind).toBe("error");
    session.add([file("b")]);
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledWith("b9", [1]);
    expect(fake.calls.map((c) => c.path)).toEqual(["b9/g2/1"]);
    expect(api.addBatchFiles).not.toHaveBeenCalled();
    expect(statuses("b").at(-1)).toBe("done");
    expect((await commit(["a", "b"])).kind).toBe("committed");
  });

  it("a file whose MD5 differs from the one hashed before the reload is another file: it joins as a new one", async () => {
    const { fake, api, session, commit } = setup();
    session.restore("b9", [restored("a", 0, { md5: "md5-of-something-else" })]);
    session.add([file("a")]);
    await answerAll(fake);
    expect(api.removeBatchFile).toHaveBeenCalledWith("b9", 0);
    expect(api.addBatchFiles).toHaveBeenCalledWith("b9", { files: [{ name: "a.png", size: 100, type: "image/png" }] });
    expect(fake.calls).toHaveLength(1);
    expect((await commit(["a"])).kind).toBe("committed");
    expect(api.commitStudy.mock.calls[0]![0].elements).toEqual([{ index: 0, label: "label a", md5: "md5-of-100" }]);
  });

  it("a file never hashed before the reload resumes in place on name alone; the commit's MD5 check decides", async () => {
    const { fake, api, session } = setup();
    session.restore("b9", [restored("a", 3, { md5: null })]);
    session.add([file("a")]);
    await answerAll(fake);
    expect(api.removeBatchFile).not.toHaveBeenCalled();
    expect(fake.calls.map((c) => c.index)).toEqual([3]);
    expect(fake.calls[0]!.request.headers["Content-MD5"]).toBe("md5-of-100");
  });

  it("new files grow the restored batch; removing a restored file deletes it from the batch", async () => {
    const { fake, api, session } = setup();
    session.restore("b9", [restored("a", 0, { uploaded: true })]);
    session.add([file("c")]);
    await answerAll(fake);
    expect(api.createBatch).not.toHaveBeenCalled();
    expect(api.addBatchFiles).toHaveBeenCalledWith("b9", expect.anything());
    await session.remove("a");
    expect(api.removeBatchFile).toHaveBeenCalledWith("b9", 0);
  });

  it("refuses to restore into a session that already holds files", () => {
    const { session } = setup();
    session.add([file("a")]);
    expect(() => session.restore("b9", [])).toThrow(/empty session/);
  });
});
