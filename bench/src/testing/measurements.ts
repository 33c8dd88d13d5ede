import type { StrategyName } from "../bench-plan.js";
import type { CellMeasurement, RunSample } from "../report-types.js";

/* Measurements made up for the report's tests: only what a test names differs from a quiet, ordinary run. */

export const run = (totalMs: number, extra: Partial<RunSample> = {}): RunSample => ({
  totalMs,
  longestTaskMs: 0,
  ...extra,
});

export function cell(
  profile: CellMeasurement["profile"],
  workloadId: string,
  strategy: StrategyName,
  totals: number[],
  extra: Partial<CellMeasurement> = {},
): CellMeasurement {
  return {
    profile,
    workloadId,
    strategy,
    runs: totals.map((t) => run(t)),
    serverCpuMsPerStudy: 10,
    serverBytesInPerStudy: 2048,
    ...extra,
  };
}
