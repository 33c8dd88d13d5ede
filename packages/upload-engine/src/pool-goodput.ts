/** One closed window: bytes per second, and the most requests in flight at once during it. */
export interface GoodputWindow {
  bytesPerSecond: number;
  peakInFlight: number;
}

/**
 * A pool's goodput over fixed windows, closed by the next event after a window's end (no timer: progress
 * events arrive many times a second while anything is in flight). Time with nothing in flight is never
 * measured: a pause between batches is not a slow link.
 */
export class PoolGoodput {
  readonly #now: () => number;
  readonly #windowMs: number;
  #inFlight = 0;
  #start: number;
  #bytes = 0;
  #peak = 0;

  constructor(now: () => number, windowMs = 1000) {
    this.#now = now;
    this.#windowMs = windowMs;
    this.#start = now();
  }

  started(): GoodputWindow | null {
    const closed = this.#inFlight === 0 ? this.restart() : this.#roll();
    this.#peak = Math.max(this.#peak, ++this.#inFlight);
    return closed;
  }

  sent(bytes: number): GoodputWindow | null {
    this.#bytes += Math.max(0, bytes);
    return this.#roll();
  }

  ended(): GoodputWindow | null {
    const closed = this.#roll();
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    // A drained pool's partial window is dropped (its end says nothing about the link); a window that just
    // opened starts with the requests still running.
    if (closed || this.#inFlight === 0) this.restart();
    return closed;
  }

  /** Drops the open window, e.g. when the pool's size changes and what it measured no longer applies. */
  restart(): null {
    this.#start = this.#now();
    this.#bytes = 0;
    this.#peak = this.#inFlight;
    return null;
  }

  #roll(): GoodputWindow | null {
    const elapsed = this.#now() - this.#start;
    if (elapsed < this.#windowMs) return null;
    const closed = { bytesPerSecond: (this.#bytes * 1000) / elapsed, peakInFlight: this.#peak };
    this.restart();
    return closed;
  }
}
