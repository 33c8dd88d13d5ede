import { afterEach, describe, expect, it, vi } from "vitest";
import type { PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
import { deferred, settle, type Deferred } from "./testing/deferred.js";
import { uploadBatch, type UploadBatchOptions } from "./upload-batch.js";
import type { FileUploadState } from "./upload-file.js";
import type { UploadTargets } from "./upload-targets.js";

const ok: PutBlobOutcome = { kind: "response", status: 201, errorCode: null };
const refusal = (status: number, errorCode: string | null = null): PutBlobOutcome => ({
  kind: "response",
  status,
  errorCode,
});

interface TransportCall {
  request: PutBlobRequest;
  index: number;
  answer: Deferred<PutBlobOutcome>;
}

/** Records every PUT; the test answers each call by hand. The blob URL ends with the file's index. */
function manualTransport() {
  const calls: TransportCall[] = [];
  const answered = new WeakSet<TransportCall>();
  let inFlight = 0;
  let maxInFlight = 0;
  const transport = (request: PutBlobRequest) => {
    const answer = deferred<PutBlobOutcome>();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    request.signal.addEventListener("abort", () => answer.resolve({ kind: "aborted" }));
    calls.push({ request, index: Number(new URL(request.url).pathname.split("/").at(-1)), answer });
    return answer.promise.finally(() => (inFlight -= 1));
  };
  return {
    transport,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    pending: () => calls.filter((c) => !c.request.signal.aborted && !answered.has(c)),
    answer(call: TransportCall, outcome: PutBlobOutcome) {
      answered.add(call);
      call.answer.resolve(outcome);
    },
  };
}

const targetsFor = (
  count: number,
  generation = 1,
  expiresAt = new Date(Date.now() + 600_000).toISOString(),
): UploadTargets => ({
  expiresAt,
  files: Array.from({ length: count }, (_, index) => ({
    index,
    uploadUrl: `http://storage/g${generation}/${index}`,
    headers: { "x-ms-blob-type": "BlockBlob" },
  })),
});

const fakeMd5 = async (blob: Blob) => `md5-of-${blob.size}`;

function setup(count: number, overrides: Partial<UploadBatchOptions> = {}) {
  const fake = manualTransport();
  const states = new Map<number, FileUploadState[]>();
  const progress = new Map<number, number[]>();
  const refreshTargets = vi.fn(async (indexes: number[]) => {
    const fresh = targetsFor(count, refreshTargets.mock.calls.length + 1);
    return { ...fresh, files: fresh.files.filter((f) => indexes.includes(f.index)) };
  });
  const result = uploadBatch({
    files: Array.from({ length: count }, (_, index) => ({ index, body: new Blob([new Uint8Array(100 + index)]) })),
    targets: targetsFor(count),
    refreshTargets,
    concurrency: 3,
    transport: fake.transport,
    hashMd5: fakeMd5,
    random: () => 0.5,
    onFileProgress: (index, sent) => progress.set(index, [...(progress.get(index) ?? []), sent]),
    onFileState: (index, state) => states.set(index, [...(states.get(index) ?? []), state]),
    ...overrides,
  });
  const statuses = (index: number) => (states.get(index) ?? []).map((s) => s.status);
  return { fake, result, states, statuses, progress, refreshTargets };
}

/** Answers every pending call with `outcome` until the batch settles. */
async function answerAll(fake: ReturnType<typeof manualTransport>, outcome: PutBlobOutcome) {
  for (let round = 0; round < 50; round++) {
    await settle();
    const pending = fake.pending();
    if (pending.length === 0) return;
    for (const call of pending) fake.answer(call, outcome);
  }
}

afterEach(() => void vi.useRealTimers());

describe("uploadBatch", () => {
  it("keeps at most `concurrency` PUTs in flight and starts them in file order", async () => {
    const { fake, result } = setup(8);
    await settle();
    expect(fake.inFlight).toBe(3);
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2]);
    fake.answer(fake.calls[1]!, ok);
    await settle();
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    await answerAll(fake, ok);
    const { md5ByIndex, failureByIndex, cancelled } = await result;
    expect(fake.maxInFlight).toBe(3);
    expect(fake.calls.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(md5ByIndex.size).toBe(8);
    expect(failureByIndex.size).toBe(0);
    expect(cancelled).toBe(false);
  });

  it("sends the file with the target's headers plus Content-MD5, and returns the same md5", async () => {
    const { fake, result } = setup(1);
    await answerAll(fake, ok);
    expect(fake.calls[0]!.request.headers).toEqual({ "x-ms-blob-type": "BlockBlob", "Content-MD5": "md5-of-100" });
    expect(fake.calls[0]!.request.body.size).toBe(100);
    expect((await result).md5ByIndex.get(0)).toBe("md5-of-100");
  });

  it("starts uploading the first file while later files are still being hashed", async () => {
    const hashes: Deferred<string>[] = [];
    const hashMd5 = () => {
      const hash = deferred<string>();
      hashes.push(hash);
      return hash.promise;
    };
    const { fake, result } = setup(3, { hashMd5 });
    await settle();
    expect(hashes).toHaveLength(1);
    hashes[0]!.resolve("md5-0");
    await settle();
    expect(fake.calls.map((c) => c.index)).toEqual([0]);
    expect(hashes).toHaveLength(2);
    hashes[1]!.resolve("md5-1");
    await settle();
    hashes[2]!.resolve("md5-2");
    await answerAll(fake, ok);
    expect([...(await result).md5ByIndex.values()].sort()).toEqual(["md5-0", "md5-1", "md5-2"]);
  });

  it("skips hashing a file whose md5 is already known", async () => {
    const hashMd5 = vi.fn(fakeMd5);
    const fake = manualTransport();
    const result = uploadBatch({
      files: [{ index: 0, body: new Blob(["abc"]), md5: "known" }],
      targets: targetsFor(1),
      refreshTargets: vi.fn(),
      concurrency: 1,
      transport: fake.transport,
      hashMd5,
      onFileProgress: () => {},
      onFileState: () => {},
    });
    await answerAll(fake, ok);
    expect(hashMd5).not.toHaveBeenCalled();
    expect(fake.calls[0]!.request.headers["Content-MD5"]).toBe("known");
    expect((await result).md5ByIndex.get(0)).toBe("known");
  });

  it("retries transient failures after a jittered exponential backoff, then succeeds", async () => {
    vi.useFakeTimers();
    const { fake, result, statuses, states } = setup(1, { retry: { baseDelayMs: 1000 } });
    await settle();
    fake.answer(fake.calls[0]!, refusal(503, "ServerBusy"));
    await settle();
    expect(states.get(0)?.at(-1)).toEqual({ status: "retrying", attempt: 2, reason: "storage error (503)" });
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
    expect((await result).md5ByIndex.has(0)).toBe(true);
    expect(statuses(0)).toEqual(["queued", "uploading", "retrying", "retrying", "retrying", "retrying", "done"]);
  });

  it("gives up after the bounded number of attempts and says why", async () => {
    vi.useFakeTimers();
    const { fake, result, states } = setup(1, { retry: { maxAttempts: 3, baseDelayMs: 10 } });
    for (let attempt = 0; attempt < 3; attempt++) {
      await vi.advanceTimersByTimeAsync(100);
      fake.answer(fake.calls[attempt]!, refusal(500));
    }
    const { failureByIndex } = await result;
    expect(fake.calls).toHaveLength(3);
    expect(failureByIndex.get(0)).toBe("gave up after 3 attempts: storage error (500)");
    expect(states.get(0)?.at(-1)).toEqual({
      status: "failed",
      reason: "gave up after 3 attempts: storage error (500)",
    });
  });

  it("fails at once, without retrying, when storage refuses the file for good", async () => {
    const { fake, result } = setup(1);
    await settle();
    fake.answer(fake.calls[0]!, refusal(400, "Md5Mismatch"));
    const { failureByIndex } = await result;
    expect(fake.calls).toHaveLength(1);
    expect(failureByIndex.get(0)).toMatch(/checksum mismatch/);
  });

  it("renews expired links with one coalesced refresh and continues with the fresh URLs", async () => {
    const { fake, result, refreshTargets } = setup(3);
    await settle();
    for (const call of fake.calls) fake.answer(call, refusal(403, "AuthorizationFailure"));
    await answerAll(fake, ok);
    const { md5ByIndex } = await result;
    expect(refreshTargets).toHaveBeenCalledTimes(1);
    expect(refreshTargets).toHaveBeenCalledWith([0, 1, 2]);
    expect(fake.calls.slice(3).map((c) => c.request.url)).toEqual([
      "http://storage/g2/0",
      "http://storage/g2/1",
      "http://storage/g2/2",
    ]);
    expect(md5ByIndex.size).toBe(3);
  });

  it("does not refresh again for a 403 that arrives after another upload already renewed the links", async () => {
    const { fake, result, refreshTargets } = setup(2);
    await settle();
    fake.answer(fake.calls[0]!, refusal(403, "AuthenticationFailed"));
    await settle();
    expect(refreshTargets).toHaveBeenCalledTimes(1);
    fake.answer(fake.calls[1]!, refusal(403, "AuthenticationFailed"));
    await answerAll(fake, ok);
    await result;
    expect(refreshTargets).toHaveBeenCalledTimes(1);
    expect(
      fake.calls
        .slice(2)
        .map((c) => c.request.url)
        .sort(),
    ).toEqual(["http://storage/g2/0", "http://storage/g2/1"]);
  });

  it("renews links that are about to expire before sending", async () => {
    const { fake, result, refreshTargets } = setup(2, {
      targets: targetsFor(2, 1, new Date(Date.now() + 5_000).toISOString()),
    });
    await answerAll(fake, ok);
    await result;
    expect(refreshTargets).toHaveBeenCalledTimes(1);
    expect(fake.calls.map((c) => c.request.url)).toEqual(["http://storage/g2/0", "http://storage/g2/1"]);
  });

  it.each([
    ["403 AuthorizationPermissionMismatch (Azurite)", refusal(403, "AuthorizationPermissionMismatch")],
    ["409 (Azure)", refusal(409, "UnauthorizedBlobOverwrite")],
  ])("treats %s as already uploaded", async (_name, outcome) => {
    const { fake, result, statuses, progress } = setup(1);
    await settle();
    fake.answer(fake.calls[0]!, outcome);
    const { md5ByIndex } = await result;
    expect(fake.calls).toHaveLength(1);
    expect(md5ByIndex.get(0)).toBe("md5-of-100");
    expect(statuses(0).at(-1)).toBe("done");
    expect(progress.get(0)?.at(-1)).toBe(100);
  });

  it("never reports progress going backwards, also across retries", async () => {
    vi.useFakeTimers();
    const { fake, result, progress } = setup(1, {
      files: [{ index: 0, body: new Blob([new Uint8Array(100)]), sentBytes: 10 }],
    });
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
    await result;
    expect(progress.get(0)).toEqual([50, 80, 90, 100]);
  });

  it("retries an attempt that stalls", async () => {
    vi.useFakeTimers();
    const { fake, result, states } = setup(1, { retry: { stallTimeoutMs: 3_000, baseDelayMs: 100 } });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(states.get(0)?.at(-1)).toEqual({ status: "retrying", attempt: 2, reason: "no progress for 3 s" });
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.calls).toHaveLength(2);
    fake.answer(fake.calls[1]!, ok);
    expect((await result).md5ByIndex.size).toBe(1);
  });

  it("cancel aborts uploads in flight, starts nothing more and fails nothing", async () => {
    const controller = new AbortController();
    const { fake, result, statuses } = setup(6, { signal: controller.signal });
    await settle();
    fake.answer(fake.calls[0]!, ok);
    await settle();
    const callsBefore = fake.calls.length;
    controller.abort();
    const { cancelled, md5ByIndex, failureByIndex } = await result;
    expect(cancelled).toBe(true);
    expect(fake.calls.slice(1, callsBefore).every((c) => c.request.signal.aborted)).toBe(true);
    expect(fake.calls).toHaveLength(callsBefore);
    expect(md5ByIndex.size).toBe(1);
    expect(failureByIndex.size).toBe(0);
    for (let i = 0; i < 6; i++) expect(statuses(i)).not.toContain("failed");
  });

  it("a hash that finishes after the cancel starts no upload", async () => {
    const controller = new AbortController();
    const slowHash = deferred<string>();
    // A hasher that does not watch the signal, finishing late.
    const { fake, result } = setup(1, { signal: controller.signal, hashMd5: () => slowHash.promise });
    await settle();
    controller.abort();
    slowHash.resolve("late");
    expect((await result).cancelled).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });
});
