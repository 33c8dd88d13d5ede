import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "./sleep.js";

afterEach(() => vi.useRealTimers());

describe("sleep", () => {
  it("resolves after the delay, without a signal too", async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("resolves after the delay with a signal that never aborts, and stops listening to it", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, "removeEventListener");
    const sleeping = sleep(50, controller.signal);
    await vi.advanceTimersByTimeAsync(50);
    await expect(sleeping).resolves.toBeUndefined();
    expect(removed).toHaveBeenCalledWith("abort", expect.any(Function));
  });

  it("rejects at once with the abort reason and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = sleep(60_000, controller.signal);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects when the signal was already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("before"));
    await expect(sleep(10, controller.signal)).rejects.toThrow("before");
  });
});
