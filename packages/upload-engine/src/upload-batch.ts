import type { BlobTransport } from "./blob-transport.js";
import { hashInUploadOrder } from "./md5-pipeline.js";
import type { Md5Hasher } from "./md5.js";
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-policy.js";
import { withStallTimeout } from "./stall-timeout.js";
import { errorText, uploadFile, type FileUploadState } from "./upload-file.js";
import { UploadQueue, cancellationError } from "./upload-queue.js";
import { UploadTargetBook, type UploadTargets } from "./upload-targets.js";

export interface BatchFile {
  index: number;
  body: Blob;
  /** Known from an earlier run of the same file: skips hashing it again. */
  md5?: string;
  /** Bytes already reported for this file; progress continues from here and never goes below it. */
  sentBytes?: number;
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

/**
 * Uploads one batch: hashes files in order ahead of their upload, sends at most `concurrency` at once (FIFO),
 * retries transient failures with backoff, renews expired links with one coalesced refresh, and reports
 * monotonic per-file progress. Resolves once every file is done, failed, or the signal cancelled the batch.
 */
export async function uploadBatch(options: UploadBatchOptions): Promise<UploadBatchResult> {
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const cancel = new AbortController();
  const signal = cancel.signal;
  const onOuterAbort = () => cancel.abort(options.signal?.reason ?? cancellationError());
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  const queue = new UploadQueue(options.concurrency);
  signal.addEventListener("abort", () => queue.abortAll(signal.reason), { once: true });

  const md5ByIndex = new Map<number, string>();
  const failureByIndex = new Map<number, string>();
  const sentByIndex = new Map(options.files.map((f) => [f.index, f.sentBytes ?? 0]));
  const targets = new UploadTargetBook(
    options.targets,
    options.refreshTargets,
    () => options.files.map((f) => f.index).filter((i) => !md5ByIndex.has(i) && !failureByIndex.has(i)),
    options.expiryMarginMs ?? 30_000,
  );

  const reportProgress = (file: BatchFile, sentBytes: number) => {
    const clamped = Math.min(sentBytes, file.body.size);
    if (clamped <= (sentByIndex.get(file.index) ?? 0)) return;
    sentByIndex.set(file.index, clamped);
    options.onFileProgress(file.index, clamped);
  };
  const fail = (index: number, reason: string) => {
    failureByIndex.set(index, reason);
    options.onFileState(index, { status: "failed", reason });
  };

  for (const file of options.files) options.onFileState(file.index, { status: "queued" });
  const md5Promises = hashInUploadOrder(options.files, options.hashMd5, signal, options.onFileHashed);
  const context = {
    queue,
    transport: withStallTimeout(options.transport, retry.stallTimeoutMs),
    targets,
    retry,
    random: options.random ?? Math.random,
    signal,
  };

  const send = async (file: BatchFile) => {
    const result = await uploadFile(file.index, file.body, md5Promises.get(file.index)!, {
      ...context,
      onState: (state) => options.onFileState(file.index, state),
      onProgress: (sentBytes) => reportProgress(file, sentBytes),
    });
    if (result.kind === "done") {
      reportProgress(file, file.body.size);
      md5ByIndex.set(file.index, result.md5);
      options.onFileState(file.index, { status: "done" });
    } else if (result.kind === "failed") {
      fail(file.index, result.reason);
    }
  };

  try {
    await Promise.all(
      options.files.map((file) =>
        send(file).catch((error: unknown) => {
          // Cancellation (aborted sleeps, dropped queue entries) ends a file without a verdict; anything else is a failure.
          if (!signal.aborted) fail(file.index, errorText(error));
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  return { md5ByIndex, failureByIndex, cancelled: signal.aborted };
}
