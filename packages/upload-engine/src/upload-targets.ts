import type { UploadTarget } from "@study-uploader/shared";

export interface UploadTargets {
  expiresAt: string;
  files: readonly UploadTarget[];
}

interface HeldTarget {
  target: UploadTarget;
  expiresAtMs: number;
}

/**
 * The upload links of one batch and their renewal. A batch grows as images are added, so each link keeps its
 * own expiry; one refresh renews every unfinished file, and concurrent 403s await the same request instead of
 * each asking for their own.
 */
export class UploadTargetBook {
  readonly #byIndex = new Map<number, HeldTarget>();
  #renewal: Promise<void> | null = null;

  constructor(
    initial: UploadTargets,
    /** Fresh links for these indexes (POST /api/batches/:id/refresh). */
    private readonly refresh: (indexes: number[]) => Promise<UploadTargets>,
    /** Which files still need a link when a renewal happens. */
    private readonly unfinished: () => number[],
    /** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
    private readonly expiryMarginMs: number,
  ) {
    this.add(initial);
  }

  /** Links for files added to the batch (or renewed). */
  add(targets: UploadTargets): void {
    const expiresAtMs = Date.parse(targets.expiresAt);
    for (const target of targets.files) this.#byIndex.set(target.index, { target, expiresAtMs });
  }

  /** Forgets a file's link, so its next attempt asks for a fresh one (the commit deleted what it refused). */
  invalidate(index: number): void {
    this.#byIndex.delete(index);
  }

  /**
   * A link worth trying for this file. `expired` is the link storage just refused as expired (or null): it is
   * renewed unless another upload already renewed it meanwhile.
   */
  async usable(index: number, expired: UploadTarget | null): Promise<UploadTarget> {
    const current = this.#byIndex.get(index);
    const renewedMeanwhile = expired !== null && current?.target !== expired;
    const stale = expired !== null || !current || Date.now() >= current.expiresAtMs - this.expiryMarginMs;
    if (!renewedMeanwhile && stale) {
      await this.#renew(index);
      // A renewal already under way when this file asked may not have covered it.
      if (!this.#byIndex.has(index)) await this.#renew(index);
    }
    const held = this.#byIndex.get(index);
    if (!held) throw new Error("the API returned no upload link for this file");
    return held.target;
  }

  #renew(index: number): Promise<void> {
    this.#renewal ??= (async () => {
      try {
        const wanted = new Set(this.unfinished());
        wanted.add(index);
        this.add(await this.refresh([...wanted].sort((a, b) => a - b)));
      } finally {
        this.#renewal = null;
      }
    })();
    return this.#renewal;
  }
}
