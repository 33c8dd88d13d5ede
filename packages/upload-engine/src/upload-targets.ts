import type { UploadTarget } from "@study-uploader/shared";

export interface UploadTargets {
  expiresAt: string;
  files: readonly UploadTarget[];
}

/**
 * The upload links of one batch and their renewal. Links share one expiry, so one refresh renews every
 * unfinished file, and concurrent 403s await the same request instead of each asking for their own.
 */
export class UploadTargetBook {
  readonly #byIndex: Map<number, UploadTarget>;
  #expiresAtMs: number;
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
    this.#byIndex = new Map(initial.files.map((t) => [t.index, t]));
    this.#expiresAtMs = Date.parse(initial.expiresAt);
  }

  /**
   * A link worth trying for this file. `expired` is the link storage just refused as expired (or null): it is
   * renewed unless another upload already renewed it meanwhile.
   */
  async usable(index: number, expired: UploadTarget | null): Promise<UploadTarget> {
    const current = this.#byIndex.get(index);
    const renewedMeanwhile = expired !== null && current !== expired;
    const stale = expired !== null || Date.now() >= this.#expiresAtMs - this.expiryMarginMs || !current;
    if (!renewedMeanwhile && stale) await this.#renew();
    const target = this.#byIndex.get(index);
    if (!target) throw new Error("the API returned no upload link for this file");
    return target;
  }

  #renew(): Promise<void> {
    this.#renewal ??= (async () => {
      try {
        const fresh = await this.refresh(this.unfinished());
        for (const target of fresh.files) this.#byIndex.set(target.index, target);
        this.#expiresAtMs = Date.parse(fresh.expiresAt);
      } finally {
        this.#renewal = null;
      }
    })();
    return this.#renewal;
  }
}
