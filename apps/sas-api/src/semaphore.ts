/** Gives back a slot; calling it again does nothing. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant(release: ReleaseSlot): void;
}

/**
 * At most `slots` holders at once; others wait their turn, first come first served, each for at most `maxWaitMs`.
 * It lives in one process's memory: it bounds what this instance does at once, not what all instances do.
 */
export class Semaphore {
  private free: number;
  /** A Set keeps insertion order: the longest waiter is first. */
  private readonly waiters = new Set<Waiter>();

  constructor(
    slots: number,
    private readonly maxWaitMs: number,
  ) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`slots must be at least 1, not ${slots}`);
    this.free = slots;
  }

  /** A slot, as the function that gives it back; null when none came free within maxWaitMs. */
  acquire(): Promise<ReleaseSlot | null> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(null);
      }, this.maxWaitMs);
      this.waiters.add(waiter);
    });
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const [next] = this.waiters;
      if (!next) {
        this.free++;
        return;
      }
      // The slot passes straight to the next waiter, so no newcomer can take it in between.
      this.waiters.delete(next);
      next.grant(this.releaser());
    };
  }
}
