import { describe, expect, it } from "vitest";
import { AdaptiveConcurrency, startingConcurrency, type AdaptiveConcurrencyOptions } from "./adaptive-concurrency.js";

const MB = 1_000_000;

/** A link's goodput in bytes per second with `n` requests in flight. */
type Link = (n: number) => number;

// Saturates at k connections (a bandwidth cap shared by all).
const saturating =
  (k: number, perConnection = MB): Link =>
  (n) =>
    Math.min(n, k) * perConnection;
// Past k, each extra connection costs 15% (queueing and losses at a congested hop).
const congested =
  (k: number, perConnection = MB): Link =>
  (n) =>
    n <= k ? n * perConnection : k * perConnection * Math.max(0.1, 1 - 0.15 * (n - k));

// Deterministic noise (mulberry32), so a failing run can be replayed.
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A pool with endless work over a simulated link, in 50 ms ticks; `noise` varies the link ±noise per second. */
class Simulation {
  time = 0;
  inFlight = 0;
  readonly changes: { at: number; to: number }[] = [];
  readonly controller: AdaptiveConcurrency;
  readonly #rng: () => number;
  #factor = 1;

  constructor(
    readonly link: Link,
    options: Omit<AdaptiveConcurrencyOptions, "now" | "onChange">,
    readonly noise = 0,
    seed = 1,
  ) {
    this.#rng = random(seed);
    this.controller = new AdaptiveConcurrency({
      ...options,
      now: () => this.time,
      onChange: (to) => this.changes.push({ at: this.time, to }),
    });
  }

  /** Runs for `ms`; `work` caps how many requests are available (the tail of a batch). */
  run(ms: number, work = Infinity): this {
    for (const end = this.time + ms; this.time < end;) {
      const wanted = Math.min(this.controller.current, work);
      // A lowered size takes effect as running blocks finish: one per tick here.
      if (this.inFlight > wanted) this.end({ ok: true });
      while (this.inFlight < wanted) this.start();
      if (this.time % 1000 === 0) this.#factor = 1 + this.noise * (2 * this.#rng() - 1);
      this.time += 50;
      this.controller.sent((this.link(this.inFlight) * this.#factor * 50) / 1000);
    }
    return this;
  }

  start(): void {
    this.inFlight++;
    this.controller.requestStarted();
  }

  end(result: { ok: boolean; stalled?: boolean }): void {
    this.inFlight--;
    this.controller.requestEnded(result);
  }

  /** Every size the pool had since `from` ms. */
  sizesSince(from: number): number[] {
    const before = this.changes.filter((c) => c.at < from).at(-1);
    const sizes = this.changes.filter((c) => c.at >= from).map((c) => c.to);
    return before ? [before.to, ...sizes] : sizes.length ? sizes : [this.controller.current];
  }
}

describe("AdaptiveConcurrency on a simulated link", () => {
  it("climbs to where a saturating link stops giving more, and no higher", () => {
    const sim = new Simulation(saturating(10), { start: 2, max: 16 }).run(120_000);
    expect(sim.controller.current).toBeGreaterThanOrEqual(9);
    expect(sim.controller.current).toBeLessThanOrEqual(11);
    expect(Math.max(...sim.changes.map((c) => c.to))).toBeLessThanOrEqual(16);
  });

  it("stops at the protocol's maximum when the link would take more", () => {
    const sim = new Simulation(saturating(40), { start: 6, max: 16 }).run(60_000);
    expect(Math.max(...sim.sizesSince(0))).toBe(16);
    expect(sim.sizesSince(20_000).every((n) => n >= 15)).toBe(true);
  });

  it.each([4, 16])("settles near the knee of a congested link, starting at %i", (start) => {
    const sim = new Simulation(congested(8), { start, max: 16 }).run(180_000);
    expect(sim.sizesSince(90_000).every((n) => n >= 7 && n <= 9)).toBe(true);
    expect(sim.controller.current).toBe(8);
  });

  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    "stays near the knee under ±15 percent noise without flapping (seed %i)",
    (seed) => {
      const sim = new Simulation(saturating(8), { start: 2, max: 16 }, 0.15, seed).run(600_000);
      const late = sim.changes.filter((c) => c.at >= 300_000);
      expect(sim.sizesSince(300_000).every((n) => n >= 6 && n <= 11)).toBe(true);
      // Over the last five minutes: a probe and its undo every 40 to 60 s (the hold's backoff), not every window.
      expect(late.length).toBeLessThanOrEqual(15);
    },
  );

  it("never leaves [min, max] and changes by whole numbers", () => {
    const sim = new Simulation(saturating(30), { min: 3, start: 3, max: 12 }, 0.3, 7).run(300_000);
    for (const { to } of sim.changes) {
      expect(Number.isInteger(to)).toBe(true);
      expect(to).toBeGreaterThanOrEqual(3);
      expect(to).toBeLessThanOrEqual(12);
    }
  });
});

describe("AdaptiveConcurrency on failures", () => {
  it("halves on a failed or stalled request, never below min", () => {
    const sim = new Simulation(saturating(40), { start: 16, max: 16 }).run(2_500);
    sim.end({ ok: false });
    expect(sim.controller.current).toBe(8);
    sim.run(2_000).end({ ok: true, stalled: true });
    expect(sim.controller.current).toBe(4);
    sim.run(2_000).end({ ok: false });
    sim.run(2_000).end({ ok: false });
    expect(sim.controller.current).toBe(2);
  });

  it("halves once for failures that arrive together", () => {
    const sim = new Simulation(saturating(40), { start: 16, max: 16 }).run(2_500);
    for (let i = 0; i < 10; i++) sim.end({ ok: false });
    expect(sim.controller.current).toBe(8);
  });

  it("probes up again after a decrease", () => {
    const sim = new Simulation(saturating(12), { start: 12, max: 16 }).run(2_500);
    sim.end({ ok: false });
    expect(sim.controller.current).toBe(6);
    sim.run(60_000);
    expect(sim.controller.current).toBeGreaterThanOrEqual(11);
  });
});

describe("AdaptiveConcurrency inputs", () => {
  it("lowers current at once when the maximum drops, and climbs once it rises", () => {
    const changes: number[] = [];
    const controller = new AdaptiveConcurrency({ start: 10, max: 16, now: () => 0, onChange: (n) => changes.push(n) });
    controller.setMax(6);
    expect(controller.current).toBe(6);
    expect(changes).toEqual([6]);
    controller.setMax(1);
    expect(controller.current).toBe(1);

    const sim = new Simulation(saturating(16), { start: 6, max: 6 }).run(20_000);
    expect(sim.controller.current).toBe(6);
    sim.controller.setMax(16);
    sim.run(30_000);
    expect(sim.controller.current).toBeGreaterThanOrEqual(14);
  });

  it("changes nothing over idle time or while the pool is not full", () => {
    const sim = new Simulation(saturating(10), { start: 4, max: 16 }).run(2_500);
    const size = sim.controller.current;
    while (sim.inFlight > 0) sim.end({ ok: true });
    sim.time += 600_000;
    sim.controller.sent(0);
    // The tail of a batch: fewer requests than slots, so the low rate says nothing about the link.
    sim.run(60_000, 2);
    expect(sim.controller.current).toBe(size);
    expect(sim.changes).toEqual([]);
  });

  it("rejects sizes that are not positive integers", () => {
    expect(() => new AdaptiveConcurrency({ start: 0, max: 6, now: () => 0 })).toThrow(RangeError);
    expect(() => new AdaptiveConcurrency({ start: 4, max: 2.5, now: () => 0 })).toThrow(RangeError);
  });
});

describe("startingConcurrency", () => {
  it("starts at today's HTTP/1.1 size, capped by the maximum", () => {
    expect(startingConcurrency(6)).toBe(6);
    expect(startingConcurrency(16)).toBe(6);
    expect(startingConcurrency(3)).toBe(3);
  });
});
