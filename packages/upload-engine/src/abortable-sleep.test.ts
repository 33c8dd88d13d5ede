import { afterEach, describe, expect, it, vi } from "vitest";
import { abortableSleep } from "./abortable-sleep.js";

afterEach(() => vi.useRealTimers());

describe("abortableSleep", () => {
  it("resolves after the delay", async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = abortableSleep(1000, new AbortController().signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("rejects at once with the abort reason and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects when the signal was already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("before"));
    await expect(abortableSleep(10, controller.signal)).rejects.toThrow("before");
  });
});
