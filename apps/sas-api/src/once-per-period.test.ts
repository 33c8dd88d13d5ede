import { describe, expect, it } from "vitest";
import { oncePerPeriod } from "./once-per-period.js";

/** A check whose runs the test counts and settles by hand. */
function controlledCheck() {
  const runs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const check = () => new Promise<void>((resolve, reject) => runs.push({ resolve, reject }));
  return { runs, check };
}

describe("oncePerPeriod", () => {
  it("lets every caller during a run and for the period after it share that run's success", async () => {
    let now = 0;
    const { runs, check } = controlledCheck();
    const shared = oncePerPeriod(check, 1000, () => now);
    const during = Array.from({ length: 10 }, () => shared());
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await Promise.all(during);
    now += 999;
    await Promise.all(Array.from({ length: 10 }, () => shared()));
    expect(runs).toHaveLength(1);
    now += 1;
    void shared();
    expect(runs).toHaveLength(2);
  });

  it("shares a failure the same way, then checks again", async () => {
    let now = 0;
    const { runs, check } = controlledCheck();
    const shared = oncePerPeriod(check, 1000, () => now);
    const first = shared();
    runs[0]!.reject(new Error("storage is down"));
    await expect(first).rejects.toThrow("storage is down");
    await expect(shared()).rejects.toThrow("storage is down");
    expect(runs).toHaveLength(1);
    now += 1000;
    const second = shared();
    runs[1]!.resolve();
    await expect(second).resolves.toBeUndefined();
  });

  it("counts the period from when a slow run settles, not from when it started", async () => {
    let now = 0;
    const { runs, check } = controlledCheck();
    const shared = oncePerPeriod(check, 1000, () => now);
    const slow = shared();
    now += 5000;
    void shared();
    runs[0]!.resolve();
    await slow;
    now += 500;
    await shared();
    expect(runs).toHaveLength(1);
  });
});
