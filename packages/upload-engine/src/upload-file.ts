import type { BlobTransport } from "./blob-transport.js";
import { abortableSleep } from "./abortable-sleep.js";
import { backoffDelayMs, classifyPutOutcome, type RetryOptions } from "./retry-policy.js";
import type { UploadQueue } from "./upload-queue.js";
import type { UploadTargetBook } from "./upload-targets.js";
import type { UploadTarget } from "@study-uploader/shared";

export type FileUploadState =
  | { status: "queued" }
  | { status: "uploading"; attempt: number }
  | { status: "retrying"; attempt: number; reason: string }
  | { status: "done" }
  | { status: "failed"; reason: string };

/** How one file's upload ended; cancellation ends it without a verdict. */
export type FileUploadResult =
  { kind: "done"; md5: string } | { kind: "failed"; reason: string } | { kind: "cancelled" };

export interface FileUploadContext {
  queue: UploadQueue;
  transport: BlobTransport;
  targets: UploadTargetBook;
  retry: RetryOptions;
  random: () => number;
  signal: AbortSignal;
  onState: (state: FileUploadState) => void;
  onProgress: (sentBytes: number) => void;
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One file's attempts: waits for its MD5, takes a pool slot per attempt, and decides after each PUT whether
 * it is done, retried after a backoff, retried at once with a renewed link, or failed for good.
 */
export async function uploadFile(
  index: number,
  body: Blob,
  md5Promise: Promise<string>,
  context: FileUploadContext,
): Promise<FileUploadResult> {
  const { retry, signal, onState } = context;
  let md5: string;
  try {
    md5 = await md5Promise;
  } catch (error) {
    if (signal.aborted) return { kind: "cancelled" };
    return { kind: "failed", reason: `could not read the file (${errorText(error)})` };
  }

  let expired: UploadTarget | null = null;
  let lastReason = "";
  const retryLater = async (attempt: number) => {
    if (attempt >= retry.maxAttempts) return;
    onState({ status: "retrying", attempt: attempt + 1, reason: lastReason });
    await abortableSleep(backoffDelayMs(attempt, retry, context.random), signal);
  };

  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    // A hash or a link renewal that finished after a cancel must not start a new PUT.
    if (signal.aborted) return { kind: "cancelled" };
    let target: UploadTarget;
    try {
      target = await context.targets.usable(index, expired);
    } catch (error) {
      if (signal.aborted) return { kind: "cancelled" };
      lastReason = `could not renew the upload link (${errorText(error)})`;
      await retryLater(attempt);
      continue;
    }
    expired = null;
    const outcome = await context.queue.add((attemptSignal) => {
      onState(attempt === 1 ? { status: "uploading", attempt } : { status: "retrying", attempt, reason: lastReason });
      return context.transport({
        url: target.uploadUrl,
        headers: { ...target.headers, "Content-MD5": md5 },
        body,
        // The pool's signal (everything stops) or the file's own (it was removed).
        signal: AbortSignal.any([attemptSignal, signal]),
        onProgress: context.onProgress,
      });
    });
    const verdict = classifyPutOutcome(outcome);
    switch (verdict.kind) {
      case "uploaded":
      case "already-exists":
        return { kind: "done", md5 };
      case "cancelled":
        return { kind: "cancelled" };
      case "fatal":
        return { kind: "failed", reason: verdict.reason };
      case "refresh":
        lastReason = verdict.reason;
        expired = target;
        if (attempt < retry.maxAttempts) onState({ status: "retrying", attempt: attempt + 1, reason: lastReason });
        break;
      case "retry":
        lastReason = verdict.reason;
        await retryLater(attempt);
        break;
    }
  }
  return { kind: "failed", reason: `gave up after ${retry.maxAttempts} attempts: ${lastReason}` };
}
