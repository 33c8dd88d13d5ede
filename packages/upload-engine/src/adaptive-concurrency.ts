import { PoolGoodput, type GoodputWindow } from "./pool-goodput.js";
import { HTTP1_CONNECTIONS_PER_ORIGIN } from "./connection-limits.js";

export interface AdaptiveConcurrencyOptions {
  /** The floor (default 2, so one stuck request never holds up the whole pool). */
  min?: number;
  start: number;
  /** The protocol's maximum: 6 over HTTP/1.1 (Chromium's connections per host), the configured one over HTTP/2. */
  max: number;
  now: () => number;
  /** Called after each change of `current`, e.g. with the queue's `setConcurrency`. */
  onChange?: (current: number) => void;
  windowMs?: number;
}

/**
 * Where the pool starts: today's fixed HTTP/1.1 size, capped by `max`. Six is what every link already runs
 * well (it is also the size while the protocol is unknown), so starting there loses nothing against the fixed
 * pool; over HTTP/1.1 it is the ceiling, over HTTP/2 the controller climbs from it within seconds. Starting at
 * the HTTP/2 maximum would instead risk stalls on a weak link before the first measurement.
 */
export function startingConcurrency(max: number): number {
  return Math.min(max, HTTP1_CONNECTIONS_PER_ORIGIN);
}

// A change's first window is skipped (new requests are still ramping up); a step is judged on the mean of the
// next three, against the mean of up to five before it: one-second rates swing by tens of percent.
const SETTLE_WINDOWS = 1;
const MEASURE_WINDOWS = 3;
const BASELINE_WINDOWS = 5;
// After a failed probe the size holds 5 busy windows, doubling per further failure up to a minute.
const HOLD_WINDOWS = 5;
const MAX_HOLD_WINDOWS = 60;

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

const positiveInteger = (name: string, value: number) => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
};

/**
 * The upload pool's size, hill climbing on goodput. The rule: a step is kept when each connection it added
 * delivers at least half of what the average connection delivered before it (for a step down: when each
 * removed connection delivered less than that). Steps go up while kept, first ×1.5 then, once a step has
 * failed (the knee is near), +1 and -1; a failed step is undone and the size holds before probing the other
 * way. A failed or stalled request halves the size (once per window), then probing restarts from there.
 * Windows are judged only while the pool is full, so idle time and the tail of a batch change nothing.
 */
export class AdaptiveConcurrency {
  #min: number;
  #max: number;
  #current: number;
  readonly #now: () => number;
  readonly #onChange: ((current: number) => void) | undefined;
  readonly #windowMs: number;
  readonly #goodput: PoolGoodput;
  #settle = SETTLE_WINDOWS;
  #rates: number[] = [];
  #probe: { from: number; baseline: number } | null = null;
  #hold = 0;
  #failures = 0;
  #fast = true;
  #up = true;
  #lastDecreaseAt = -Infinity;

  constructor({ min = 2, start, max, now, onChange, windowMs = 1000 }: AdaptiveConcurrencyOptions) {
    this.#max = positiveInteger("max", max);
    this.#min = positiveInteger("min", min);
    this.#current = this.#clamp(positiveInteger("start", start));
    this.#now = now;
    this.#onChange = onChange;
    this.#windowMs = windowMs;
    this.#goodput = new PoolGoodput(now, windowMs);
  }

  get current(): number {
    return this.#current;
  }

  requestStarted(): void {
    this.#judge(this.#goodput.started());
  }

  sent(bytes: number): void {
    this.#judge(this.#goodput.sent(bytes));
  }

  requestEnded({ ok, stalled = false }: { ok: boolean; stalled?: boolean }): void {
    this.#judge(this.#goodput.ended());
    if (!ok || stalled) this.#decrease();
  }

  setMax(max: number): void {
    // The protocol is read after every request: the same answer again changes nothing.
    if (positiveInteger("max", max) === this.#max) return;
    const raised = max > this.#max;
    this.#max = max;
    // More room (the protocol turned out to be HTTP/2) is climbed into quickly; less room takes effect at once.
    if (raised) return this.#restartClimb(0);
    if (this.#current <= max) return;
    this.#probe = null;
    this.#set(max);
  }

  #restartClimb(hold: number): void {
    this.#probe = null;
    this.#fast = true;
    this.#up = true;
    this.#failures = 0;
    this.#hold = hold;
  }

  #decrease(): void {
    // Failures close together are one event (a dropped link fails every request at once): halve once.
    const now = this.#now();
    if (now - this.#lastDecreaseAt < this.#windowMs) return;
    this.#lastDecreaseAt = now;
    this.#restartClimb(HOLD_WINDOWS);
    this.#set(this.#clamp(Math.floor(this.#current / 2)));
  }

  #judge(window: GoodputWindow | null): void {
    // Only a full pool shows what the link delivers; a batch's tail leaves slots empty.
    if (!window || window.peakInFlight < this.#current) return;
    if (this.#settle > 0) return void this.#settle--;
    this.#rates = [...this.#rates, window.bytesPerSecond].slice(-BASELINE_WINDOWS);
    if (this.#hold > 0) this.#hold--;
    if (this.#rates.length < MEASURE_WINDOWS) return;
    const probe = this.#probe;
    if (!probe) {
      if (this.#hold === 0) this.#startProbe(mean(this.#rates));
      return;
    }
    const measured = mean(this.#rates.slice(-MEASURE_WINDOWS));
    this.#probe = null;
    const marginal = (measured - probe.baseline) / (this.#current - probe.from);
    const worthIt = marginal > probe.baseline / probe.from / 2;
    const steppedUp = this.#current > probe.from;
    // A kept step keeps the hold's backoff: near the knee, noise alone keeps a step now and then.
    if (worthIt === steppedUp) return this.#startProbe(measured);
    this.#failures++;
    this.#fast = false;
    this.#up = !this.#up;
    this.#hold = Math.min(MAX_HOLD_WINDOWS, HOLD_WINDOWS * 2 ** (this.#failures - 1));
    this.#set(probe.from);
  }

  #startProbe(baseline: number): void {
    const target = (up: boolean) => {
      const step = up ? (this.#fast ? Math.max(1, Math.floor(this.#current / 2)) : 1) : -1;
      return this.#clamp(this.#current + step);
    };
    // Blocked one way (at max or min): probe the other.
    if (target(this.#up) === this.#current) this.#up = !this.#up;
    const next = target(this.#up);
    if (next === this.#current) return;
    this.#probe = { from: this.#current, baseline };
    this.#set(next);
  }

  // A maximum below the floor wins: the protocol's limit is a hard one.
  #clamp(n: number): number {
    return Math.min(this.#max, Math.max(Math.min(this.#min, this.#max), n));
  }

  #set(next: number): void {
    if (next === this.#current) return;
    this.#current = next;
    this.#settle = SETTLE_WINDOWS;
    this.#rates = [];
    this.#goodput.restart();
    this.#onChange?.(next);
  }
}
