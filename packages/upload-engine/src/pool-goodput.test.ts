import { describe, expect, it } from "vitest";
import { PoolGoodput } from "./pool-goodput.js";

describe("PoolGoodput", () => {
  it("closes a window at the first event after its end, with its rate and peak in flight", () => {
    let time = 0;
    const goodput = new PoolGoodput(() => time);
    goodput.started();
    goodput.started();
    time = 500;
    expect(goodput.sent(1000)).toBeNull();
    time = 1250;
    expect(goodput.sent(1500)).toEqual({ bytesPerSecond: 2000, peakInFlight: 2 });
    time = 2250;
    expect(goodput.ended()).toEqual({ bytesPerSecond: 0, peakInFlight: 2 });
    time = 3250;
    expect(goodput.sent(100)).toEqual({ bytesPerSecond: 100, peakInFlight: 1 });
  });

  it("never measures time with nothing in flight", () => {
    let time = 0;
    const goodput = new PoolGoodput(() => time);
    goodput.started();
    goodput.sent(500);
    goodput.ended();
    time = 60_000;
    expect(goodput.started()).toBeNull();
    time = 61_000;
    expect(goodput.sent(4000)).toEqual({ bytesPerSecond: 4000, peakInFlight: 1 });
  });
});
