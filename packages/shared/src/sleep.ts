/**
 * Waits `ms`; with a signal, rejects with its reason as soon as it aborts (a backoff wait must not outlive a
 * cancel) and leaves no timer behind. The one sleep of the workspace.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = () => {
      signal?.removeEventListener("abort", cancel);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const cancel = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", cancel, { once: true });
  });
}
