import { HTTP1_CONNECTIONS_PER_ORIGIN } from "./connection-limits.js";

export { HTTP1_CONNECTIONS_PER_ORIGIN };

/**
 * Uploads at once when the upload origin speaks HTTP/2 or HTTP/3 (streams on one connection, no per-origin
 * connection cap) and the API does not say (`config.http2Concurrency`, the same default): see the README's
 * Performance section for the bench measurement of 6, 12 and 16 over HTTP/2 that set it.
 */
export const HTTP2_UPLOAD_CONCURRENCY = 16;

export interface UploadConcurrencyInput {
  /** The API's `config.concurrency`: the pool's size over HTTP/1.1 and while the protocol is unknown. */
  configured: number;
  /** The API's `config.http2Concurrency`: the pool's size over HTTP/2 or HTTP/3. */
  http2?: number;
  /** `nextHopProtocol` of a request to the upload origin ("http/1.1", "h2", "h3"); undefined or "" if unknown. */
  protocol: string | undefined;
  /** Files still to send: slots beyond them would stay empty. */
  files: number;
}

const isMultiplexed = (protocol: string) => protocol === "h2" || protocol.startsWith("h3");

/**
 * The pool size for the upload origin's protocol. Over HTTP/1.1 it never exceeds the browser's connections: a
 * request queued inside the browser sends nothing, and its stall timer would take it for a dead transfer.
 */
export function uploadConcurrency({ configured, http2, protocol, files }: UploadConcurrencyInput): number {
  let limit = configured;
  if (protocol?.startsWith("http/1")) limit = Math.min(configured, HTTP1_CONNECTIONS_PER_ORIGIN);
  else if (protocol && isMultiplexed(protocol)) limit = http2 ?? HTTP2_UPLOAD_CONCURRENCY;
  return Math.max(1, Math.min(limit, files));
}

/** The parts of Resource Timing the protocol is read from (`performance` in a browser or Node). */
export interface ResourceTimingSource {
  getEntriesByType(type: "resource"): readonly PerformanceEntry[];
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The protocol the latest finished request to `origin` went over, from Resource Timing: undefined until a
 * request to it has finished, or when the origin hides it (a cross-origin entry without Timing-Allow-Origin
 * reads ""; the buffer also stops at 250 entries unless the page raises it).
 */
export function readUploadProtocol(origin: string, timing: ResourceTimingSource = performance): string | undefined {
  const entries = timing.getEntriesByType("resource");
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as Partial<PerformanceResourceTiming>;
    if (entry.nextHopProtocol && originOf(entry.name ?? "") === origin) return entry.nextHopProtocol;
  }
  return undefined;
}
