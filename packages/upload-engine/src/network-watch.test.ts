import { afterEach, describe, expect, it, vi } from "vitest";
import { NetworkWatch } from "./network-watch.js";

afterEach(() => void vi.useRealTimers());

function watchWith(answers: () => boolean) {
  const changes: boolean[] = [];
  let probes = 0;
  const watch = new NetworkWatch(
    async () => {
      probes++;
      return answers();
    },
    (online) => changes.push(online),
  );
  return { watch, changes, probes: () => probes };
}

describe("NetworkWatch", () => {
  it("without a probe, the network is always there: every failure is a real one", async () => {
    const watch = new NetworkWatch(null, () => undefined);
    expect(await watch.reachable()).toBe(true);
    watch.browserSays(false);
    expect(watch.online).toBe(true);
  });

  it("requests failing together share one probe; storage answering means a real failure", async () => {
    const { watch, probes } = watchWith(() => true);
    expect(await Promise.all([watch.reachable(), watch.reachable(), watch.reachable()])).toEqual([true, true, true]);
    expect(probes()).toBe(1);
    expect(watch.online).toBe(true);
  });

  it("goes offline when nothing answers, probes on with a growing delay, and wakes the waiters once storage answers", async () => {
    vi.useFakeTimers();
    let up = false;
    const { watch, changes, probes } = watchWith(() => up);
    expect(await watch.reachable()).toBe(false);
    expect(changes).toEqual([false]);
    const back = vi.fn();
    void watch.whenOnline(new AbortController().signal).then(back);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(probes()).toBe(3);
    expect(back).not.toHaveBeenCalled();
    up = true;
    await vi.advanceTimersByTimeAsync(2_250);
    expect(back).toHaveBeenCalledOnce();
    expect(changes).toEqual([false, true]);
    watch.stop();
  });

  it("believes the browser's offline at once and checks its online with a probe", async () => {
    let up = true;
    const { watch, changes } = watchWith(() => up);
    watch.browserSays(false);
    expect(watch.online).toBe(false);
    up = true;
    watch.browserSays(true);
    await vi.waitFor(() => expect(watch.online).toBe(true));
    expect(changes).toEqual([false, true]);
    watch.stop();
  });

  it("a wait ends with its signal", async () => {
    const { watch } = watchWith(() => false);
    watch.browserSays(false);
    const controller = new AbortController();
    const waiting = watch.whenOnline(controller.signal);
    controller.abort(new Error("removed"));
    await expect(waiting).rejects.toThrow("removed");
    watch.stop();
  });
});
