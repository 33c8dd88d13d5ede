import { describe, expect, it } from "vitest";
import { sleep } from "@study-uploader/shared";
import { BandwidthLimiter, DelayLine, FlowWindow, now, openConnection } from "./link-model.js";

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

describe("openConnection", () => {
  it("gives a lossless connection no congestion window unless slow start is asked for", () => {
    expect(openConnection({ rttMs: 150, uploadBitsPerSecond: 50e6 }, {}).window).toBeUndefined();
    expect(openConnection({ rttMs: 150, uploadBitsPerSecond: 50e6, lossRate: 0 }, {}).window).toBeUndefined();
    expect(openConnection({ rttMs: 150, uploadBitsPerSecond: 50e6 }, { slowStart: true }).window).toBeDefined();
  });

  it("gives every connection on a lossy link a window of its own", () => {
    const link = { rttMs: 60, uploadBitsPerSecond: 20e6, lossRate: 0.001 };
    const a = openConnection(link, {}).window;
    const b = openConnection(link, {}).window;
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });
});
