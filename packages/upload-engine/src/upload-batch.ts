import type { UploadTarget } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { Md5Hasher } from "./md5.js";
import { DEFAULT_RETRY_OPTIONS, backoffDelayMs, classifyPutOutcome, type RetryOptions } from "./retry-policy.js";
import { withStallTimeout } from "./stall-timeout.js";
import { UploadQueue, cancellationError } from "./upload-queue.js";

export type FileUploadState =
  | { status: "queued" }
  | { status: "uploading"; attempt: number }
  | { status: "retrying"; attempt: number; reason: string }
  | { status: "done" }
  | { status: "failed"; reason: string };

export interface BatchFile {
  index: number;
  body: Blob;
  /** Known from an earlier run of the same file: skips hashing it again. */
  md5?: string;
  /** Bytes already reported for this file; progress continues from here and never goes below it. */
  sentBytes?: number;
}

export interface UploadTargets {
  expiresAt: string;
  files: readonly UploadTarget[];
}

export interface UploadBatchOptions {
  files: readonly BatchFile[];
  targets: UploadTargets;
  /** Fresh upload links for these indexes (POST /api/batches/:id/refresh). */
  refreshTargets: (indexes: number[]) => Promise<UploadTargets>;
  concurrency: number;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  signal?: AbortSignal;
  retry?: Partial<RetryOptions>;
  /** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
  expiryMarginMs?: number;
  random?: () => number;
  onFileHashed?: (index: number, md5: string) => void;
  onFileProgress: (index: number, sentBytes: number) => void;
  onFileState: (index: number, state: FileUploadState) => void;
}

export interface UploadBatchResult {
  /** Every file that arrived, with the MD5 sent as Content-MD5 (the commit carries the same). */
  md5ByIndex: Map<number, string>;
  failureByIndex: Map<number, string>;
  cancelled: boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener("abort", cancel);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const cancel = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", cancel, { once: true });
  });
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Uploads one batch: hashes files in order ahead of their upload, sends at most `concurrency` at once (FIFO),
 * retries transient failures with backoff, renews expired links with one coalesced refresh, and reports
 * monotonic per-file progress. Resolves once every file is done, failed, or the signal cancelled the batch.
 */
export async function uploadBatch(options: UploadBatchOptions): Promise<UploadBatchResult> {
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const expiryMarginMs = options.expiryMarginMs ?? 30_000;
  const random = options.random ?? Math.random;
  const cancel = new AbortController();
  const signal = cancel.signal;
  const onOuterAbort = () => cancel.abort(options.signal?.reason ?? cancellationError());
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const queue = new UploadQueue(options.concurrency);
  signal.addEventListener("abort", () => queue.abortAll(signal.reason), { once: true });
  const transport = withStallTimeout(options.transport, retry.stallTimeoutMs);

  const md5ByIndex = new Map<number, string>();
  const failureByIndex = new Map<number, string>();
  const sentByIndex = new Map(options.files.map((f) => [f.index, f.sentBytes ?? 0]));
  const targetByIndex = new Map(options.targets.files.map((t) => [t.index, t]));
  let expiresAtMs = Date.parse(options.targets.expiresAt);

  const reportProgress = (file: BatchFile, sentBytes: number) => {
    const clamped = Math.min(sentBytes, file.body.size);
    if (clamped <= (sentByIndex.get(file.index) ?? 0)) return;
    sentByIndex.set(file.index, clamped);
    options.onFileProgress(file.index, clamped);
  };

  for (const file of options.files) options.onFileState(file.index, { status: "queued" });

  // One file at a time, in upload order: the first upload waits for one hash only, the rest are ready in time.
  let previousHash: Promise<unknown> = Promise.resolve();
  const md5Promises = new Map<number, Promise<string>>();
  for (const file of options.files) {
    const known = file.md5;
    const hashed = known
      ? Promise.resolve(known)
      : previousHash.then(async () => {
          const md5 = await options.hashMd5(file.body, signal);
          options.onFileHashed?.(file.index, md5);
          return md5;
        });
    previousHash = hashed.catch(() => undefined);
    md5Promises.set(file.index, hashed);
  }

  // Links share one expiry, so one refresh renews every unfinished file; concurrent 403s await the same request.
  let renewal: Promise<void> | null = null;
  const renewTargets = () => {
    renewal ??= (async () => {
      try {
        const unfinished = options.files
          .map((f) => f.index)
          .filter((i) => !md5ByIndex.has(i) && !failureByIndex.has(i));
        const fresh = await options.refreshTargets(unfinished);
        for (const target of fresh.files) targetByIndex.set(target.index, target);
        expiresAtMs = Date.parse(fresh.expiresAt);
      } finally {
        renewal = null;
      }
    })();
    return renewal;
  };

  const usableTarget = async (index: number, expired: UploadTarget | null): Promise<UploadTarget> => {
    const current = targetByIndex.get(index);
    const renewedMeanwhile = expired !== null && current !== expired;
    if (!renewedMeanwhile && (expired !== null || Date.now() >= expiresAtMs - expiryMarginMs || !current))
      await renewTargets();
    const target = targetByIndex.get(index);
    if (!target) throw new Error("the API returned no upload link for this file");
    return target;
  };

  const uploadFile = async (file: BatchFile): Promise<void> => {
    const { index } = file;
    let md5: string;
    try {
      md5 = await md5Promises.get(index)!;
    } catch (error) {
      if (signal.aborted) return;
      failureByIndex.set(index, `could not read the file (${errorText(error)})`);
      options.onFileState(index, { status: "failed", reason: failureByIndex.get(index)! });
      return;
    }

    let expired: UploadTarget | null = null;
    let lastReason = "";
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
      let target: UploadTarget;
      try {
        target = await usableTarget(index, expired);
      } catch (error) {
        if (signal.aborted) return;
        lastReason = `could not renew the upload link (${errorText(error)})`;
        if (attempt < retry.maxAttempts) {
          options.onFileState(index, { status: "retrying", attempt: attempt + 1, reason: lastReason });
          await sleep(backoffDelayMs(attempt, retry, random), signal);
        }
        continue;
      }
      expired = null;
      const outcome = await queue.add((attemptSignal) => {
        options.onFileState(
          index,
          attempt === 1 ? { status: "uploading", attempt } : { status: "retrying", attempt, reason: lastReason },
        );
        return transport({
          url: target.uploadUrl,
          headers: { ...target.headers, "Content-MD5": md5 },
          body: file.body,
          signal: attemptSignal,
          onProgress: (sentBytes) => reportProgress(file, sentBytes),
        });
      });
      const verdict = classifyPutOutcome(outcome);
      switch (verdict.kind) {
        case "uploaded":
        case "already-exists":
          reportProgress(file, file.body.size);
          md5ByIndex.set(index, md5);
          options.onFileState(index, { status: "done" });
          return;
        case "cancelled":
          return;
        case "fatal":
          failureByIndex.set(index, verdict.reason);
          options.onFileState(index, { status: "failed", reason: verdict.reason });
          return;
        case "refresh":
          lastReason = verdict.reason;
          expired = target;
          if (attempt < retry.maxAttempts)
            options.onFileState(index, { status: "retrying", attempt: attempt + 1, reason: lastReason });
          break;
        case "retry":
          lastReason = verdict.reason;
          if (attempt < retry.maxAttempts) {
            options.onFileState(index, { status: "retrying", attempt: attempt + 1, reason: lastReason });
            await sleep(backoffDelayMs(attempt, retry, random), signal);
          }
          break;
      }
    }
    const reason = `gave up after ${retry.maxAttempts} attempts: ${lastReason}`;
    failureByIndex.set(index, reason);
    options.onFileState(index, { status: "failed", reason });
  };

  try {
    await Promise.all(
      options.files.map((file) =>
        uploadFile(file).catch((error: unknown) => {
          // Cancellation (aborted sleeps, dropped queue entries) ends a file without a verdict; anything else is a failure.
          if (signal.aborted) return;
          failureByIndex.set(file.index, errorText(error));
          options.onFileState(file.index, { status: "failed", reason: errorText(error) });
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  return { md5ByIndex, failureByIndex, cancelled: signal.aborted };
}
