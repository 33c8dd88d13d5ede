import { performance } from "node:perf_hooks";
import type { ExchangeObserver } from "./shaping-proxy.js";
import { median } from "./statistics.js";

/*
 * What went through a proxy, request by request: the large-file bench counts CORS preflights, Put Block requests
 * (and which block each carried), and the API's own storage calls from these records. The summaries are pure.
 */

/** What a request did to storage (or "preflight"); anything else is `METHOD comp`. */
export type StorageOp =
  | "preflight"
  | "put-block"
  | "put-block-from-url"
  | "put-block-list"
  | "get-block-list"
  | "put-blob"
  | "copy-blob"
  | "head"
  | "get"
  | "delete"
  | (string & {});

export interface ExchangeRecord {
  method: string;
  op: StorageOp;
  /** The `blockid` query parameter of a Put Block. */
  blockId?: string;
  /** Content-Length of the request (0 when absent). */
  bodyBytes: number;
  /** performance.now() in the bench process when the request reached the proxy. */
  startAt: number;
  /** When the response finished or the exchange closed; undefined while it runs. */
  endAt?: number;
  status?: number;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function classifyRequest(method: string, url: string, headers: Headers): { op: StorageOp; blockId?: string } {
  const query = new URL(url, "http://x").searchParams;
  const comp = query.get("comp");
  const copySource = headers["x-ms-copy-source"] !== undefined;
  if (method === "OPTIONS") return { op: "preflight" };
  if (method === "PUT" && comp === "block")
    return { op: copySource ? "put-block-from-url" : "put-block", blockId: query.get("blockid") ?? undefined };
  if (comp === "blocklist") return { op: method === "PUT" ? "put-block-list" : "get-block-list" };
  if (method === "PUT" && comp === null) return { op: copySource ? "copy-blob" : "put-blob" };
  if (comp === null && (method === "HEAD" || method === "GET" || method === "DELETE"))
    return { op: method.toLowerCase() };
  return { op: `${method} ${comp ?? ""}`.trim() };
}

export interface RequestLog {
  observe: ExchangeObserver;
  records: ExchangeRecord[];
}

export function createRequestLog(now: () => number = () => performance.now()): RequestLog {
  const records: ExchangeRecord[] = [];
  const observe: ExchangeObserver = (req, res) => {
    const method = req.method ?? "GET";
    const record: ExchangeRecord = {
      method,
      ...classifyRequest(method, req.url ?? "/", req.headers),
      bodyBytes: Number(req.headers["content-length"] ?? 0) || 0,
      startAt: now(),
    };
    records.push(record);
    const end = () => {
      if (record.endAt !== undefined) return;
      record.endAt = now();
      record.status = res.writableFinished ? res.statusCode : undefined;
    };
    res.once("finish", end);
    res.once("close", end);
  };
  return { observe, records };
}

export const isSuccess = (r: ExchangeRecord): boolean => r.status !== undefined && r.status >= 200 && r.status < 300;

export function countOps(records: readonly ExchangeRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.op] = (counts[r.op] ?? 0) + 1;
  return counts;
}

/** The most requests that matched `include` and were open at one moment. */
export function peakConcurrency(records: readonly ExchangeRecord[], include: (r: ExchangeRecord) => boolean): number {
  const events = records
    .filter(include)
    .flatMap((r) => [
      { at: r.startAt, delta: 1 },
      { at: r.endAt ?? Number.POSITIVE_INFINITY, delta: -1 },
    ])
    // Ends before starts at the same instant: back-to-back requests are not concurrent.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let peak = 0;
  for (const e of events) {
    open += e.delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

export interface ResendSummary {
  /** Put Blocks storage had answered 2xx before the reload. */
  storedBefore: { blocks: number; bytes: number };
  /** Put Blocks started before the reload and not answered by then. */
  inFlightAtReload: { blocks: number; bytes: number };
  /** Put Blocks started after the reload. */
  sentAfter: { blocks: number; bytes: number };
  /** Of those, blocks whose id storage had already taken before the reload: bytes sent again. */
  sentAgain: { blocks: number; bytes: number };
}

export function summarizeResend(records: readonly ExchangeRecord[], reloadAt: number): ResendSummary {
  const blocks = records.filter((r) => r.op === "put-block");
  const sum = (rs: readonly ExchangeRecord[]) => ({
    blocks: rs.length,
    bytes: rs.reduce((total, r) => total + r.bodyBytes, 0),
  });
  const stored = blocks.filter((r) => isSuccess(r) && r.endAt !== undefined && r.endAt <= reloadAt);
  const storedIds = new Set(stored.map((r) => r.blockId));
  const inFlight = blocks.filter((r) => r.startAt <= reloadAt && (r.endAt === undefined || r.endAt > reloadAt));
  const after = blocks.filter((r) => r.startAt > reloadAt);
  return {
    storedBefore: sum(stored),
    inFlightAtReload: sum(inFlight),
    sentAfter: sum(after),
    sentAgain: sum(after.filter((r) => storedIds.has(r.blockId))),
  };
}

/** Preflights among the records, and the median time each took at the proxy (≈ one RTT plus storage's answer). */
export function preflightCost(records: readonly ExchangeRecord[]): {
  count: number;
  medianMs: number;
  totalMs: number;
} {
  const durations = records
    .filter((r) => r.op === "preflight" && r.endAt !== undefined)
    .map((r) => r.endAt! - r.startAt);
  const count = records.filter((r) => r.op === "preflight").length;
  const medianMs = median(durations);
  return { count, medianMs, totalMs: durations.reduce((a, b) => a + b, 0) };
}
