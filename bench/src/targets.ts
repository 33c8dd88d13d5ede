import { MIB, PRODUCT_DEFAULT, isProductStrategy } from "./bench-plan.js";
import { cpuRatios, findCell } from "./cell-summary.js";
import type { NetworkProfileName } from "./network-profiles.js";
import { formatMiB, formatSeconds } from "./report-format.js";
import type { CellSummary, MemoryResult, TargetResult } from "./report-types.js";

/* The pass/fail lines at the top of the report: each target, met, missed or not measured, with what it was judged on. */

export const TARGET_EFFICIENCY = 0.9;
export const TARGET_SPEEDUP = 2.5;
export const TARGET_CPU_RATIO = 50;
export const TARGET_HEAP_GROWTH_BYTES = 32 * MIB;
export const LONG_TASK_MS = 50;
/** Efficiency is judged for this workload on every shaped profile. */
export const EFFICIENCY_WORKLOAD_ID = "16×2 MiB";
export const EFFICIENCY_PROFILES: readonly NetworkProfileName[] = ["office", "home", "far"];

export function evaluateTargets(cells: readonly CellSummary[], memory?: MemoryResult): TargetResult[] {
  const targets: TargetResult[] = [];

  for (const profile of EFFICIENCY_PROFILES) {
    const cell = findCell(cells, profile, EFFICIENCY_WORKLOAD_ID, PRODUCT_DEFAULT);
    targets.push({
      target: `efficiency ≥ ${TARGET_EFFICIENCY} for ${EFFICIENCY_WORKLOAD_ID} on ${profile}`,
      met: cell?.efficiency === undefined ? null : cell.efficiency >= TARGET_EFFICIENCY,
      detail:
        cell?.efficiency === undefined
          ? "not measured"
          : `${cell.efficiency.toFixed(2)} (${formatSeconds(cell.medianMs)} vs ideal ${formatSeconds(cell.idealMs)})`,
    });
  }

  const far = findCell(cells, "far", "16×256 KiB", PRODUCT_DEFAULT);
  targets.push({
    target: `≥ ${TARGET_SPEEDUP}× faster than sequential for 16×256 KiB on far`,
    met: far?.speedup === undefined ? null : far.speedup >= TARGET_SPEEDUP,
    detail: far?.speedup === undefined ? "not measured" : `×${far.speedup.toFixed(2)}`,
  });

  const profiles = [...new Set(cells.map((c) => c.profile))];
  for (const profile of profiles) {
    const pairs = cells
      .filter((c) => c.profile === profile && c.strategy === PRODUCT_DEFAULT)
      .flatMap((ours) => {
        const relay = findCell(cells, profile, ours.workloadId, "relay");
        return relay ? [{ ours, relay }] : [];
      });
    const slower = pairs.filter(({ ours, relay }) => ours.medianMs >= relay.medianMs);
    targets.push({
      target: `faster than relay on ${profile}`,
      met: pairs.length === 0 ? null : slower.length === 0,
      detail:
        pairs.length === 0
          ? "not measured"
          : slower.length === 0
            ? `in all ${pairs.length} workloads (relay ÷ ours from ×${Math.min(...pairs.map((p) => p.relay.medianMs / p.ours.medianMs)).toFixed(2)} to ×${Math.max(...pairs.map((p) => p.relay.medianMs / p.ours.medianMs)).toFixed(2)})`
            : `slower in ${slower.map(({ ours, relay }) => `${ours.workloadId} (${formatSeconds(ours.medianMs)} vs ${formatSeconds(relay.medianMs)})`).join(", ")}`,
    });
  }

  const ratios = cpuRatios(cells);
  const below = ratios.filter((r) => r.ratio < TARGET_CPU_RATIO);
  targets.push({
    target: `≥ ${TARGET_CPU_RATIO}× less API CPU per study than the relay`,
    met: ratios.length === 0 ? null : below.length === 0,
    detail:
      ratios.length === 0
        ? "not measured"
        : ratios
            .map((r) => `${r.workloadId} ×${r.ratio.toFixed(0)} (${r.oursMs.toFixed(1)} vs ${r.relayMs.toFixed(1)} ms)`)
            .join("; "),
  });

  const memoryGrowth = memory ? Math.max(...memory.runs.map((r) => r.peakHeapBytes - r.baselineHeapBytes)) : undefined;
  targets.push({
    target: `peak JS heap growth ≤ ${TARGET_HEAP_GROWTH_BYTES / MIB} MiB for ${memory?.workloadId ?? "16×16 MiB"}`,
    met: memoryGrowth === undefined ? null : memoryGrowth <= TARGET_HEAP_GROWTH_BYTES,
    detail:
      memoryGrowth === undefined ? "not measured" : `${formatMiB(memoryGrowth)} (worst of ${memory!.runs.length} runs)`,
  });

  const memoryTask = memory ? Math.max(0, ...memory.runs.map((r) => r.longestTaskMs)) : undefined;
  const productTask = Math.max(0, ...cells.filter((c) => isProductStrategy(c.strategy)).map((c) => c.longestTaskMs));
  const worst = Math.max(memoryTask ?? 0, productTask);
  targets.push({
    target: `no main-thread task over ${LONG_TASK_MS} ms while uploading`,
    met: memoryTask === undefined && cells.length === 0 ? null : worst <= LONG_TASK_MS,
    detail:
      worst === 0
        ? `none over ${LONG_TASK_MS} ms`
        : `longest ${worst.toFixed(0)} ms (${memory?.workloadId ?? "memory batch"}: ${memoryTask ? `${memoryTask.toFixed(0)} ms` : "none"}; matrix runs: ${productTask ? `${productTask.toFixed(0)} ms` : "none"})`,
  });
  return targets;
}
