import type { BlobTransport } from "./blob-transport.js";

/**
 * Wraps any transport so an attempt that sends no bytes for `stallMs` is aborted and reported as stalled.
 * Lives outside the XHR module so every transport (browser or Node) gets the same watchdog.
 */
export function withStallTimeout(transport: BlobTransport, stallMs: number): BlobTransport {
  return async (request) => {
    if (request.signal.aborted) return { kind: "aborted" };
    const attempt = new AbortController();
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastSent = -1;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        attempt.abort();
      }, stallMs);
    };
    const cancel = () => attempt.abort(request.signal.reason);
    request.signal.addEventListener("abort", cancel, { once: true });
    arm();
    try {
      const outcome = await transport({
        ...request,
        signal: attempt.signal,
        onProgress: (sentBytes) => {
          if (sentBytes > lastSent) arm();
          lastSent = Math.max(lastSent, sentBytes);
          request.onProgress(sentBytes);
        },
      });
      return stalled && outcome.kind === "aborted" ? { kind: "stalled", afterMs: stallMs } : outcome;
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener("abort", cancel);
    }
  };
}
