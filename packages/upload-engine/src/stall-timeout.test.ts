import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
import { withStallTimeout } from "./stall-timeout.js";

/** A transport that sends 10 bytes each `everyMs` for `chunks` times, then answers 201; aborts end it at once. */
function tricklingTransport(everyMs: number, chunks: number) {
  return (request: PutBlobRequest) =>
    new Promise<PutBlobOutcome>((resolve) => {
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === chunks) {
          clearInterval(timer);
          resolve({ kind: "response", status: 201, errorCode: null });
          return;
        }
        sent += 1;
        request.onProgress(sent * 10);
      }, everyMs);
      request.signal.addEventListener("abort", () => {
        clearInterval(timer);
        resolve({ kind: "aborted" });
      });
    });
}

const request = (signal = new AbortController().signal): PutBlobRequest => ({
  url: "http://storage/blob",
  headers: {},
  body: new Blob(["x"]),
  signal,
  onProgress: () => {},
});

describe("withStallTimeout", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("abandons an attempt that sends nothing for the timeout", async () => {
    const outcome = withStallTimeout(tricklingTransport(60_000, 1), 5_000)(request());
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(outcome).resolves.toEqual({ kind: "stalled", afterMs: 5_000 });
  });

  it("keeps a slow transfer alive as long as bytes keep moving", async () => {
    const outcome = withStallTimeout(tricklingTransport(4_000, 5), 5_000)(request());
    await vi.advanceTimersByTimeAsync(24_000);
    await expect(outcome).resolves.toEqual({ kind: "response", status: 201, errorCode: null });
  });

  it("reports a stall when progress events repeat without new bytes", async () => {
    const repeating = (req: PutBlobRequest) =>
      new Promise<PutBlobOutcome>((resolve) => {
        const timer = setInterval(() => req.onProgress(10), 1_000);
        req.signal.addEventListener("abort", () => {
          clearInterval(timer);
          resolve({ kind: "aborted" });
        });
      });
    const outcome = withStallTimeout(repeating, 5_000)(request());
    await vi.advanceTimersByTimeAsync(6_000);
    await expect(outcome).resolves.toEqual({ kind: "stalled", afterMs: 5_000 });
  });

  it("reports a cancel by the caller as aborted, not stalled", async () => {
    const controller = new AbortController();
    const outcome = withStallTimeout(tricklingTransport(60_000, 1), 5_000)(request(controller.signal));
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await expect(outcome).resolves.toEqual({ kind: "aborted" });
  });
});
