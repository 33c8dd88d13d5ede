export interface TransferSample {
  atMs: number;
  bytes: number;
}

/** Bytes per second over a sliding window, so the speed reacts to change without jumping on every event. */
export class TransferRateMeter {
  readonly #windowMs: number;
  #samples: TransferSample[] = [];

  constructor(windowMs = 5_000) {
    this.#windowMs = windowMs;
  }

  record(atMs: number, totalBytes: number): void {
    this.#samples.push({ atMs, bytes: totalBytes });
    const oldest = atMs - this.#windowMs;
    // Keep one sample at or before the window's start so the rate spans the whole window.
    while (this.#samples.length > 2 && this.#samples[1]!.atMs <= oldest) this.#samples.shift();
  }

  /** Null until two samples at least a quarter second apart exist. */
  bytesPerSecond(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.atMs - first.atMs < 250) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.atMs - first.atMs);
  }

  reset(): void {
    this.#samples = [];
  }
}
