import type { PutBlobOutcome } from "./blob-transport.js";

export type AttemptVerdict =
  | { kind: "uploaded" }
  /** A create-only link cannot overwrite: the bytes are already there, and the commit's verification decides. */
  | { kind: "already-exists" }
  /** Its owner had it already: the API had storage copy that image into the upload, so nothing was sent. */
  | { kind: "reused" }
  /** `progressed`: a file in blocks kept new blocks in this attempt, so it does not count toward giving up. */
  | { kind: "retry"; reason: string; progressed?: boolean }
  /** The upload link expired: fetch a fresh one and try again at once. */
  | { kind: "refresh"; reason: string }
  | { kind: "fatal"; reason: string }
  | { kind: "cancelled" };

export interface RetryOptions {
  /** Attempts per file, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An attempt that sends no new bytes for this long is abandoned and retried. */
  stallTimeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  stallTimeoutMs: 20_000,
};

// Azure says AuthenticationFailed for an expired SAS, Azurite says AuthorizationFailure.
const EXPIRED_LINK_CODES = new Set(["AuthenticationFailed", "AuthorizationFailure"]);

const TRANSIENT_STATUS_REASONS: Record<number, string> = {
  408: "storage timed out waiting for the file",
  429: "storage is rate-limiting uploads",
};

function storageRefusal(status: number, errorCode: string | null): string {
  if (errorCode === "Md5Mismatch") return "the file changed while it was being sent (checksum mismatch)";
  if (errorCode === "RequestBodyTooLarge" || status === 413) return "storage refused the file as too large";
  return `storage refused the upload (${status}${errorCode ? ` ${errorCode}` : ""})`;
}

export function classifyPutOutcome(outcome: PutBlobOutcome): AttemptVerdict {
  switch (outcome.kind) {
    case "aborted":
      return { kind: "cancelled" };
    case "network-error":
      return { kind: "retry", reason: "network error" };
    case "stalled":
      return { kind: "retry", reason: `no progress for ${Math.round(outcome.afterMs / 1000)} s` };
    case "response": {
      const { status, errorCode } = outcome;
      if (status >= 200 && status < 300) return { kind: "uploaded" };
      if (status === 409 || (status === 403 && errorCode === "AuthorizationPermissionMismatch"))
        return { kind: "already-exists" };
      // A 403 whose code CORS hid is most likely an expired link too; a fresh link costs one small request.
      if (status === 403 && (errorCode === null || EXPIRED_LINK_CODES.has(errorCode))) {
        return { kind: "refresh", reason: "upload link expired" };
      }
      if (status >= 500) return { kind: "retry", reason: `storage error (${status})` };
      const transient = TRANSIENT_STATUS_REASONS[status];
      if (transient) return { kind: "retry", reason: transient };
      return { kind: "fatal", reason: storageRefusal(status, errorCode) };
    }
  }
}

/** Exponential backoff with full jitter: uniformly random in [0, min(max, base * 2^(failures-1))). */
export function backoffDelayMs(
  failures: number,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}
