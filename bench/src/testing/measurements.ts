import type { StrategyName } from "../bench-plan.js";
import { summarizeCells } from "../cell-summary.js";
import type { BenchResults, CellMeasurement, RunSample } from "../report-types.js";

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
    thinkS: 0,
    runs: totals.map((t) => run(t)),
    serverCpuMsPerStudy: 10,
    serverBytesInPerStudy: 2048,
    ...extra,
  };
}

/** A small default run on home: sequential and pool-6 for 16×2 MiB, one cell skipped, one run failed. */
export function homeResults(): BenchResults {
  return {
    mode: "default",
    slowStart: false,
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 500,
    runsPerCell: 3,
    machine: { cpus: 2, node: "v20", chromium: "156" },
    calibration: [],
    cells: summarizeCells([
      cell("home", "16×2 MiB", "sequential", [16000, 15000]),
      cell("home", "16×2 MiB", "pool-6", [14000, 13900, 14100]),
    ]),
    skipped: [
      { profile: "home", thinkS: 0, workloadId: "16×8 MiB", reason: "skipped (ideal 53.7 s; run with --full)" },
    ],
    failures: ["home 16×2 MiB sequential run 3: timed out"],
  };
}
