import { PRODUCT_DEFAULT, WORKLOADS, idealMs, type StrategyName, type Workload } from "./bench-plan.js";
import { NETWORK_PROFILES } from "./network-profiles.js";
import type { CellMeasurement, CellSummary, RunPhases, RunSample } from "./report-types.js";
import { median } from "./statistics.js";

/*
 * Pure: turns the runs of each cell into medians, speedups and efficiencies, and pools server CPU per workload.
 * No I/O, so the arithmetic the claims rest on is unit-tested.
 */

export function workloadById(id: string): Workload {
  const found = WORKLOADS.find((w) => w.id === id);
  if (!found) throw new Error(`unknown workload ${id}`);
  return found;
}

export const findCell = (
  cells: readonly CellSummary[],
  profile: string,
  workloadId: string,
  strategy: StrategyName,
  thinkS = 0,
): CellSummary | undefined =>
  cells.find(
    (c) => c.profile === profile && c.workloadId === workloadId && c.strategy === strategy && c.thinkS === thinkS,
  );

/** Median of a time some runs may lack (a run from before the field existed); undefined when none has it. */
function medianTime(runs: readonly RunSample[], key: "pickToStudyMs" | "clickToStudyMs"): number | undefined {
  const values = runs.flatMap((r) => (r[key] === undefined ? [] : [r[key]]));
  return values.length > 0 ? median(values) : undefined;
}

function medianPhases(runs: readonly RunSample[]): RunPhases | undefined {
  const phased = runs.flatMap((r) => (r.phases ? [r.phases] : []));
  if (phased.length === 0) return undefined;
  const of = (key: keyof RunPhases) => median(phased.map((p) => p[key]));
  return {
    batchMs: of("batchMs"),
    beforeFirstPutMs: of("beforeFirstPutMs"),
    uploadMs: of("uploadMs"),
    beforeCommitMs: of("beforeCommitMs"),
    commitMs: of("commitMs"),
  };
}

export function summarizeCells(measurements: readonly CellMeasurement[]): CellSummary[] {
  const medianOf = (m: CellMeasurement) => median(m.runs.map((r) => r.totalMs));
  return measurements.map((m) => {
    const profile = NETWORK_PROFILES[m.profile];
    const ideal = idealMs(workloadById(m.workloadId), profile);
    const medianMs = medianOf(m);
    const sequential = measurements.find(
      (s) =>
        s.profile === m.profile &&
        s.workloadId === m.workloadId &&
        s.thinkS === m.thinkS &&
        s.strategy === "sequential",
    );
    const shares = m.runs.flatMap((r) => (r.apiMs === undefined ? [] : [r.apiMs / r.totalMs]));
    return {
      ...m,
      idealMs: ideal,
      medianMs,
      medianPickToStudyMs: medianTime(m.runs, "pickToStudyMs"),
      medianClickToStudyMs: medianTime(m.runs, "clickToStudyMs"),
      speedup: sequential ? medianOf(sequential) / medianMs : undefined,
      efficiency: Number.isFinite(profile.uploadBitsPerSecond) ? ideal / medianMs : undefined,
      apiShare: shares.length > 0 ? median(shares) : undefined,
      phases: medianPhases(m.runs),
      longestTaskMs: Math.max(0, ...m.runs.map((r) => r.longestTaskMs)),
    };
  });
}

/** Per workload: the relay's CPU per study over ours, pooling every profile where both ran. */
export function cpuRatios(
  cells: readonly CellSummary[],
): Array<{ workloadId: string; oursMs: number; relayMs: number; ratio: number }> {
  const ids = [...new Set(cells.map((c) => c.workloadId))];
  return ids.flatMap((workloadId) => {
    const meanPerStudy = (strategy: StrategyName) => {
      // Think-time runs keep the CPU window open while the researcher types; only T = 0 compares like with like.
      const matching = cells.filter((c) => c.workloadId === workloadId && c.strategy === strategy && c.thinkS === 0);
      const studies = matching.reduce((sum, c) => sum + c.runs.length, 0);
      return studies === 0
        ? undefined
        : matching.reduce((sum, c) => sum + c.serverCpuMsPerStudy * c.runs.length, 0) / studies;
    };
    const oursMs = meanPerStudy(PRODUCT_DEFAULT);
    const relayMs = meanPerStudy("relay");
    if (oursMs === undefined || relayMs === undefined) return [];
    return [{ workloadId, oursMs, relayMs, ratio: relayMs / Math.max(oursMs, Number.EPSILON) }];
  });
}
