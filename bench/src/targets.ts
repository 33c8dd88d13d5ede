import {
  GATEWAY_DEFAULT,
  KEY_WORKLOAD_IDS,
  MIB,
  PRODUCT_DEFAULT,
  isProductStrategy,
  type StrategyName,
} from "./bench-plan.js";
import { cpuRatios, findCell } from "./cell-summary.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";
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

/** After this think time the files have had seconds to go up: click → study should be the commit alone. */
export const THINK_TARGET_S = 5;
export const THINK_TARGET_SLACK_MS = 150;
/** Through the gateway, 16×2 MiB should use the link nearly fully. */
export const TARGET_GATEWAY_EFFICIENCY = 0.95;
/** "No slower than today" allows the run-to-run spread of the medians (up to ±5% between default runs). */
export const NO_SLOWER_TOLERANCE = 0.05;
/**
 * Today's cross-origin upload (pool-6, T = 0, click → 201 medians) from the default run of 2026-11-28T19:36Z
 * (results/latest.json at 4a43b06), before the gateway and think time were measured.
 */
export const CROSS_ORIGIN_BASELINE_MS: Readonly<Record<string, number>> = {
  "16×256 KiB@lan": 308,
  "16×2 MiB@lan": 593,
  "16×256 KiB@office": 589,
  "16×2 MiB@office": 2915,
  "16×256 KiB@home": 2055,
  "16×2 MiB@home": 13783,
  "16×256 KiB@far": 1812,
  "16×2 MiB@far": 6144,
};

/** One verdict over several cells: met when every measured one is, not measured when none is. */
function allOf(
  target: string,
  checks: ReadonlyArray<{ label: string; met: boolean; detail: string } | undefined>,
): TargetResult {
  const measured = checks.filter((c) => c !== undefined);
  return {
    target,
    met: measured.length === 0 ? null : measured.every((c) => c.met),
    detail:
      measured.length === 0
        ? "not measured"
        : measured.map((c) => `${c.label} ${c.detail} ${c.met ? "✓" : "✗"}`).join("; "),
  };
}

function thinkTimeTargets(cells: readonly CellSummary[]): TargetResult[] {
  const strategies: StrategyName[] = [PRODUCT_DEFAULT, GATEWAY_DEFAULT];
  return strategies.flatMap((strategy) =>
    KEY_WORKLOAD_IDS.map((workloadId) =>
      allOf(
        `after T = ${THINK_TARGET_S} s, click→study ≤ 1 RTT + ${THINK_TARGET_SLACK_MS} ms for ${workloadId} (${strategy})`,
        EFFICIENCY_PROFILES.map((profile) => {
          const cell = findCell(cells, profile, workloadId, strategy, THINK_TARGET_S);
          if (cell?.medianClickToStudyMs === undefined) return undefined;
          const limit = NETWORK_PROFILES[profile].rttMs + THINK_TARGET_SLACK_MS;
          return {
            label: profile,
            met: cell.medianClickToStudyMs <= limit,
            detail: `${cell.medianClickToStudyMs.toFixed(0)} ms (≤ ${limit})`,
          };
        }),
      ),
    ),
  );
}

function gatewayTargets(cells: readonly CellSummary[]): TargetResult[] {
  const profiles = [...new Set(cells.map((c) => c.profile))];
  const nearRelay = profiles.map((profile) => {
    const gateway = findCell(cells, profile, "16×256 KiB", GATEWAY_DEFAULT);
    const relay = findCell(cells, profile, "16×256 KiB", "relay");
    const rttMs = NETWORK_PROFILES[profile].rttMs;
    const target = `gateway within one RTT of the relay for 16×256 KiB on ${profile} (T = 0, click→study)`;
    if (gateway?.medianClickToStudyMs === undefined || relay?.medianClickToStudyMs === undefined)
      return { target, met: null, detail: "not measured" };
    const behind = gateway.medianClickToStudyMs - relay.medianClickToStudyMs;
    return {
      target,
      met: behind <= rttMs,
      detail: `${formatSeconds(gateway.medianClickToStudyMs)} vs ${formatSeconds(relay.medianClickToStudyMs)} (${behind >= 0 ? `${behind.toFixed(0)} ms behind` : `${(-behind).toFixed(0)} ms ahead`}, RTT ${rttMs} ms)`,
    };
  });
  const efficiency = EFFICIENCY_PROFILES.map((profile) => {
    const cell = findCell(cells, profile, EFFICIENCY_WORKLOAD_ID, GATEWAY_DEFAULT);
    return {
      target: `gateway efficiency ≥ ${TARGET_GATEWAY_EFFICIENCY} for ${EFFICIENCY_WORKLOAD_ID} on ${profile}`,
      met: cell?.efficiency === undefined ? null : cell.efficiency >= TARGET_GATEWAY_EFFICIENCY,
      detail:
        cell?.efficiency === undefined
          ? "not measured"
          : `${cell.efficiency.toFixed(2)} (${formatSeconds(cell.medianMs)} vs ideal ${formatSeconds(cell.idealMs)})`,
    };
  });
  return [...nearRelay, ...efficiency];
}

function noSlowerTarget(cells: readonly CellSummary[]): TargetResult {
  return allOf(
    `cross-origin upload (${PRODUCT_DEFAULT}, T = 0) no slower than before the gateway (≤ +${NO_SLOWER_TOLERANCE * 100}%)`,
    Object.entries(CROSS_ORIGIN_BASELINE_MS).map(([key, baselineMs]) => {
      const [workloadId, profile] = key.split("@") as [string, string];
      const cell = findCell(cells, profile, workloadId, PRODUCT_DEFAULT);
      if (!cell) return undefined;
      return {
        label: `${workloadId} ${profile}`,
        met: cell.medianMs <= baselineMs * (1 + NO_SLOWER_TOLERANCE),
        detail: `${formatSeconds(cell.medianMs)} vs ${formatSeconds(baselineMs)}`,
      };
    }),
  );
}

export function evaluateTargets(allCells: readonly CellSummary[], memory?: MemoryResult): TargetResult[] {
  const targets: TargetResult[] = [];
  // Every target but think time's compares runs that clicked at once.
  const cells = allCells.filter((c) => c.thinkS === 0);

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

  targets.push(...thinkTimeTargets(allCells), ...gatewayTargets(cells), noSlowerTarget(cells));

  const memoryGrowth = memory ? Math.max(...memory.runs.map((r) => r.peakHeapBytes - r.baselineHeapBytes)) : undefined;
  targets.push({
    target: `peak JS heap growth ≤ ${TARGET_HEAP_GROWTH_BYTES / MIB} MiB for ${memory?.workloadId ?? "16×16 MiB"}`,
    met: memoryGrowth === undefined ? null : memoryGrowth <= TARGET_HEAP_GROWTH_BYTES,
    detail:
      memoryGrowth === undefined ? "not measured" : `${formatMiB(memoryGrowth)} (worst of ${memory!.runs.length} runs)`,
  });

  const memoryTask = memory ? Math.max(0, ...memory.runs.map((r) => r.longestTaskMs)) : undefined;
  const productTask = Math.max(0, ...allCells.filter((c) => isProductStrategy(c.strategy)).map((c) => c.longestTaskMs));
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
