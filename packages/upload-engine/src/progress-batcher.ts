/** Calls back once before the next frame; injectable so tests and Node can drive it. */
export type FrameScheduler = (callback: () => void) => void;

export const animationFrameScheduler: FrameScheduler = (callback) => {
  requestAnimationFrame(() => callback());
};

export interface ProgressBatcher<K> {
  /** Remembers the latest value for a key; the flush happens at most once per frame. */
  report(key: K, value: number): void;
  /** Delivers pending values now, e.g. before a state change that must not be overtaken. */
  flush(): void;
}

/** Coalesces high-frequency progress events (16 uploads x many events) into one store update per frame. */
export function createProgressBatcher<K>(
  deliver: (latest: ReadonlyMap<K, number>) => void,
  schedule: FrameScheduler = animationFrameScheduler,
): ProgressBatcher<K> {
  let pending = new Map<K, number>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (pending.size === 0) return;
    const latest = pending;
    pending = new Map();
    deliver(latest);
  };

  return {
    report(key, value) {
      pending.set(key, value);
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
