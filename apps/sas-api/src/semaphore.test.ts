import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Semaphore, type ReleaseSlot } from "./semaphore.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Whether a pending acquire has settled yet, and with what. */
function watch(acquiring: Promise<ReleaseSlot | null>) {
  const seen: { settled: boolean; release?: ReleaseSlot | null } = { settled: false };
  void acquiring.then((release) => Object.assign(seen, { settled: true, release }));
  return seen;
}

describe("Semaphore", () => {
  it("gives as many slots at once as it has, then makes the next wait for one to come back", async () => {
    const slots = new Semaphore(2, 1000);
    const first = await slots.acquire();
    expect(await slots.acquire()).toBeTypeOf("function");
    const third = watch(slots.acquire());
    await vi.advanceTimersByTimeAsync(500);
    expect(third.settled).toBe(false);
    first!();
    await vi.advanceTimersByTimeAsync(0);
    expect(third.release).toBeTypeOf("function");
  });

  it("answers null to a waiter that got no slot within the wait, and forgets it", async () => {
    const slots = new Semaphore(1, 1000);
    const held = await slots.acquire();
    const late = watch(slots.acquire());
    await vi.advanceTimersByTimeAsync(999);
    expect(late.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(late).toEqual({ settled: true, release: null });
    // The slot it gave up is not owed to it: the next caller gets it at once.
    held!();
    expect(await slots.acquire()).toBeTypeOf("function");
  });

  it("serves waiters in the order they came, and a newcomer after them", async () => {
    const slots = new Semaphore(1, 10_000);
    const held = await slots.acquire();
    const order: string[] = [];
    const take = (name: string) =>
      slots.acquire().then((release) => {
        order.push(name);
        release?.();
      });
    const waiting = [take("a"), take("b")];
    held!();
    waiting.push(take("c"));
    await Promise.all(waiting);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("counts a slot given back twice once", async () => {
    const slots = new Semaphore(1, 1000);
    const release = await slots.acquire();
    release!();
    release!();
    expect(await slots.acquire()).toBeTypeOf("function");
    const next = watch(slots.acquire());
    await vi.advanceTimersByTimeAsync(1000);
    expect(next.release).toBeNull();
  });

  it("needs at least one slot", () => {
    expect(() => new Semaphore(0, 1000)).toThrow(RangeError);
  });
});
