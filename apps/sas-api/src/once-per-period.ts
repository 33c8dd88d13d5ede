/**
 * Runs `check` at most once per `periodMs`: callers while it runs, and for `periodMs` after it settles, share its
 * outcome (success or failure) instead of starting their own.
 */
export function oncePerPeriod(
  check: () => Promise<void>,
  periodMs: number,
  now: () => number = Date.now,
): () => Promise<void> {
  let latest: { outcome: Promise<void>; settledAt?: number } | undefined;
  return () => {
    if (latest && (latest.settledAt === undefined || now() - latest.settledAt < periodMs)) return latest.outcome;
    const run: { outcome: Promise<void>; settledAt?: number } = {
      outcome: check().finally(() => {
        run.settledAt = now();
      }),
    };
    latest = run;
    return run.outcome;
  };
}
