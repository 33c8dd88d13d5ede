import { describe, expect, it } from "vitest";
import { sleep } from "@study-uploader/shared";
import { BandwidthLimiter, CongestionWindow, DelayLine, FlowWindow, now } from "./link-model.js";

describe("BandwidthLimiter", () => {
  it("sends bookings one after another at the link rate", () => {
    const link = new BandwidthLimiter(8_000_000, 0); // 1000 bytes per ms
    expect(link.reserve(10_000, 100)).toBe(110);
    expect(link.reserve(10_000, 100)).toBe(120);
    expect(link.reserve(5_000, 105)).toBe(125);
  });

  it("lets an idle link send its burst at once, but no more", () => {
    const link = new BandwidthLimiter(8_000_000, 5);
    link.reserve(1_000, 0);
    expect(link.reserve(10_000, 1_000)).toBe(1_005);
  });

  it("rejects a bandwidth that is not positive", () => {
    expect(() => new BandwidthLimiter(0)).toThrow(/positive/);
  });
});

describe("CongestionWindow", () => {
  const segmentWindow = 10 * 1460;

  it("lets a fresh connection send one window, then doubles it every round trip", () => {
    const window = new CongestionWindow(100);
    expect(window.reserve(segmentWindow, 0)).toBe(0);
    expect(window.reserve(segmentWindow, 0)).toBe(100);
    expect(window.reserve(segmentWindow, 0)).toBe(100);
    expect(window.reserve(segmentWindow, 0)).toBe(200);
  });

  it("starts slow again after the connection was idle longer than the retransmission timeout", () => {
    const window = new CongestionWindow(100);
    window.reserve(segmentWindow, 0);
    window.reserve(segmentWindow, 0);
    expect(window.reserve(segmentWindow, 1_000)).toBe(1_000);
    expect(window.reserve(segmentWindow, 1_000)).toBe(1_100);
  });
});

describe("DelayLine", () => {
  it("delivers in order, none before its due time", async () => {
    const line = new DelayLine((error) => {
      throw error;
    });
    const start = now();
    const deliveries: Array<{ item: number; at: number }> = [];
    line.push(start + 30, 10, () => deliveries.push({ item: 1, at: now() }));
    line.push(start + 10, 20, () => deliveries.push({ item: 2, at: now() }));
    expect(line.pendingBytes).toBe(30);
    await line.drained();
    expect(deliveries.map((d) => d.item)).toEqual([1, 2]);
    expect(deliveries[0]?.at).toBeGreaterThanOrEqual(start + 30);
    expect(line.pendingBytes).toBe(0);
  });

  it("keeps delivering after one delivery throws", async () => {
    const errors: unknown[] = [];
    const line = new DelayLine((error) => errors.push(error));
    let delivered = false;
    line.push(now(), 0, () => {
      throw new Error("boom");
    });
    line.push(now(), 0, () => {
      delivered = true;
    });
    await line.drained();
    expect(errors).toHaveLength(1);
    expect(delivered).toBe(true);
  });
});

describe("FlowWindow", () => {
  it("lets bytes in up to the window and the rest once the first are acknowledged", async () => {
    const window = new FlowWindow(100);
    await window.acquire(60);
    await window.acquire(40);
    let third = false;
    const pending = window.acquire(10).then(() => {
      third = true;
    });
    await sleep(20);
    expect(third).toBe(false);
    window.acknowledgeAt(60, now() + 10);
    await pending;
    expect(third).toBe(true);
  });

  it("lets a chunk larger than the window go alone", async () => {
    const window = new FlowWindow(10);
    await expect(window.acquire(50)).resolves.toBeUndefined();
  });
});
