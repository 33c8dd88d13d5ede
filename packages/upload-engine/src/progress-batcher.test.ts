import { describe, expect, it } from "vitest";
import { createProgressBatcher } from "./progress-batcher.js";

function manualFrames() {
  const callbacks: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => void callbacks.push(callback),
    runFrame: () => callbacks.splice(0).forEach((callback) => callback()),
    get scheduled() {
      return callbacks.length;
    },
  };
}

describe("createProgressBatcher", () => {
  it("delivers only the latest value per key, once per frame", () => {
    const frames = manualFrames();
    const deliveries: [string, number][][] = [];
    const batcher = createProgressBatcher<string>((latest) => deliveries.push([...latest]), frames.schedule);
    batcher.report("a", 1);
    batcher.report("a", 5);
    batcher.report("b", 2);
    expect(frames.scheduled).toBe(1);
    expect(deliveries).toEqual([]);
    frames.runFrame();
    expect(deliveries).toEqual([
      [
        ["a", 5],
        ["b", 2],
      ],
    ]);

    batcher.report("b", 3);
    frames.runFrame();
    expect(deliveries[1]).toEqual([["b", 3]]);
  });

  it("flushes pending values on demand and skips empty frames", () => {
    const frames = manualFrames();
    const deliveries: [string, number][][] = [];
    const batcher = createProgressBatcher<string>((latest) => deliveries.push([...latest]), frames.schedule);
    batcher.report("a", 9);
    batcher.flush();
    expect(deliveries).toEqual([[["a", 9]]]);
    frames.runFrame();
    expect(deliveries).toHaveLength(1);
  });
});
