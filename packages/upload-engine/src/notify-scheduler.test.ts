import { afterEach, describe, expect, it, vi } from "vitest";
import { nextFrameScheduler } from "./notify-scheduler.js";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("nextFrameScheduler", () => {
  it("tells once at the next frame, and not again when the fallback delay passes", () => {
    vi.useFakeTimers();
    let frame: (() => void) | null = null;
    vi.stubGlobal("requestAnimationFrame", (callback: () => void) => (frame = callback));
    const notify = vi.fn();
    nextFrameScheduler(notify);
    expect(notify).not.toHaveBeenCalled();
    frame!();
    vi.advanceTimersByTime(1_000);
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it("tells after a short delay when no frame comes (a hidden tab)", () => {
    vi.useFakeTimers();
    vi.stubGlobal("requestAnimationFrame", () => 0);
    const notify = vi.fn();
    nextFrameScheduler(notify);
    vi.advanceTimersByTime(249);
    expect(notify).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(notify).toHaveBeenCalledTimes(1);
  });
});
