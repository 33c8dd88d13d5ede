import { describe, expect, it } from "vitest";
import { TransferRateMeter } from "./transfer-rate.js";

describe("TransferRateMeter", () => {
  it("is unknown until samples span a quarter second", () => {
    const meter = new TransferRateMeter();
    meter.record(0, 0);
    meter.record(100, 1000);
    expect(meter.bytesPerSecond()).toBeNull();
    meter.record(500, 5000);
    expect(meter.bytesPerSecond()).toBe(10_000);
  });

  it("measures only the recent window", () => {
    const meter = new TransferRateMeter(1000);
    meter.record(0, 0);
    meter.record(1000, 100_000);
    meter.record(2000, 110_000);
    meter.record(3000, 120_000);
    expect(meter.bytesPerSecond()).toBe(10_000);
  });
});
