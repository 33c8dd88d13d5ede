import { describe, expect, it } from "vitest";
import {
  classifyRequest,
  countOps,
  peakConcurrency,
  preflightCost,
  summarizeResend,
  type ExchangeRecord,
} from "./request-log.js";

const put = (blockId: string, startAt: number, endAt?: number, status = 201): ExchangeRecord => ({
  method: "PUT",
  op: "put-block",
  blockId,
  bodyBytes: 10,
  startAt,
  endAt,
  status: endAt === undefined ? undefined : status,
});

describe("classifyRequest", () => {
  it("tells the storage operations apart", () => {
    const blob = "/devstoreaccount1/study-images/b/0?sv=1";
    expect(classifyRequest("OPTIONS", blob, {}).op).toBe("preflight");
    expect(classifyRequest("PUT", `${blob}&comp=block&blockid=QUJD`, {})).toEqual({
      op: "put-block",
      blockId: "QUJD",
    });
    expect(classifyRequest("PUT", `${blob}&comp=block&blockid=QQ`, { "x-ms-copy-source": "u" }).op).toBe(
      "put-block-from-url",
    );
    expect(classifyRequest("PUT", `${blob}&comp=blocklist`, {}).op).toBe("put-block-list");
    expect(classifyRequest("GET", `${blob}&comp=blocklist&blocklisttype=all`, {}).op).toBe("get-block-list");
    expect(classifyRequest("PUT", blob, {}).op).toBe("put-blob");
    expect(classifyRequest("PUT", blob, { "x-ms-copy-source": "u" }).op).toBe("copy-blob");
    expect(classifyRequest("HEAD", blob, {}).op).toBe("head");
    expect(classifyRequest("GET", "/devstoreaccount1/c?restype=container&comp=list", {}).op).toBe("GET list");
  });
});

describe("summaries", () => {
  it("counts operations and the peak of overlapping requests", () => {
    const records = [put("a", 0, 10), put("b", 5, 15), put("c", 10, 20), put("d", 12)];
    expect(countOps(records)).toEqual({ "put-block": 4 });
    // a ends at 10 as c starts; b, c and d overlap from 12.
    expect(peakConcurrency(records, () => true)).toBe(3);
  });

  it("finds the blocks sent again after a reload", () => {
    const records = [
      put("a", 0, 10),
      put("b", 0, 30), // in flight at the reload (20), answered later
      put("c", 5, 15, 400), // refused before the reload: not stored
      put("a", 25, 35), // sent again
      put("b", 26, 36),
      put("c", 27, 37),
    ];
    const summary = summarizeResend(records, 20);
    expect(summary.storedBefore).toEqual({ blocks: 1, bytes: 10 });
    expect(summary.inFlightAtReload).toEqual({ blocks: 1, bytes: 10 });
    expect(summary.sentAfter).toEqual({ blocks: 3, bytes: 30 });
    expect(summary.sentAgain).toEqual({ blocks: 1, bytes: 10 });
  });

  it("prices preflights by their time at the proxy", () => {
    const pre = (startAt: number, endAt: number): ExchangeRecord => ({
      method: "OPTIONS",
      op: "preflight",
      bodyBytes: 0,
      startAt,
      endAt,
      status: 200,
    });
    expect(preflightCost([pre(0, 20), pre(0, 30), pre(0, 40)])).toEqual({ count: 3, medianMs: 30, totalMs: 90 });
    expect(preflightCost([]).count).toBe(0);
  });
});
