import { errorMessage } from "@study-uploader/shared";
import {
  MEMORY_WORKLOAD,
  MIB,
  PRODUCT_DEFAULT,
  WARM_UP_WORKLOAD,
  idealMs,
  runsOf,
  timedRunCount,
  type BenchPlan,
  type StrategyName,
  type Workload,
} from "./bench-plan.js";
import type { RunHooks, StudyRun } from "./browser-strategies.js";
import { isLossyProfile } from "./loss-plan.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";
import { createHeapProbe } from "./page-memory.js";
import type { ProgressLog } from "./progress-log.js";
import { formatSeconds } from "./report-format.js";
import type { CellMeasurement, MemoryResult, RunSample } from "./report-types.js";
import { LONG_TASK_MS } from "./targets.js";

/*
 * The timed part of a run: every planned cell, strategies taking turns, then the page-memory runs. A run that fails
 * is logged and listed, and the bench goes on.
 */

/** Creates one study in the browser with this strategy, workload and link profile. */
export type StudyRunner = (
  strategy: StrategyName,
  workload: Workload,
  profile: NetworkProfileName,
  thinkS: number,
  hooks?: RunHooks,
) => Promise<StudyRun>;

export interface TimedRunContext {
  study: StudyRunner;
  /** Switches every proxy to this profile's link. */
  setProfile: (profile: NetworkProfileName) => void;
  progress: ProgressLog;
}

const firstLine = (error: unknown) => errorMessage(error).split("\n")[0];

export async function runMatrix(
  plan: BenchPlan,
  options: { profiles: readonly NetworkProfileName[]; runsPerCell: number },
  { study, setProfile, progress }: TimedRunContext,
): Promise<{ measurements: CellMeasurement[]; failures: string[] }> {
  const { runsPerCell } = options;
  const timedRuns = timedRunCount(plan, runsPerCell);
  const measurements = new Map<string, CellMeasurement>();
  const failures: string[] = [];
  let done = 0;
  const warmedUp = new Set<StrategyName>();
  for (const profile of options.profiles) {
    const cells = plan.cells.filter((c) => c.profile === profile);
    if (cells.length === 0) continue;
    setProfile(profile);
    // A warm-up on a lossy link costs 5–25 s a strategy; there only strategies not yet warmed up in this run get one.
    const strategies = [...new Set(cells.flatMap((c) => c.strategies))].filter(
      (s) => !isLossyProfile(profile) || !warmedUp.has(s),
    );
    progress.step(`${profile}: warming up ${strategies.join(", ") || "none (all warm)"}`);
    for (const strategy of strategies) {
      await study(strategy, WARM_UP_WORKLOAD, profile, 0);
      warmedUp.add(strategy);
    }

    for (const cell of cells) {
      const runs = runsOf(cell, runsPerCell);
      // Strategies take turns run by run, so drift (a busy core, a GC) spreads over all of them.
      for (let run = 1; run <= runs; run += 1) {
        for (const strategy of cell.strategies) {
          done += 1;
          const label = `${profile} ${cell.workload.id} T=${cell.thinkS} ${strategy}`;
          const key = `${profile}|${cell.workload.id}|${cell.thinkS}|${strategy}`;
          const measurement = measurements.get(key) ?? {
            profile,
            workloadId: cell.workload.id,
            strategy,
            thinkS: cell.thinkS,
            runs: [] as RunSample[],
            serverCpuMsPerStudy: 0,
            serverBytesInPerStudy: 0,
          };
          measurements.set(key, measurement);
          try {
            const result = await study(strategy, cell.workload, profile, cell.thinkS);
            // Running sums for now; divided by the run count below.
            measurement.runs.push(result.sample);
            measurement.serverCpuMsPerStudy += result.serverCpuMs;
            measurement.serverBytesInPerStudy += result.serverBytesIn;
            progress.step(
              `${String(done).padStart(4)}/${timedRuns} ${label.padEnd(40)} run ${run}/${runs} ${formatSeconds(result.sample.totalMs).padStart(8)}` +
                `  click→study ${formatSeconds(result.sample.clickToStudyMs ?? Number.NaN)}` +
                `  (ideal ${formatSeconds(idealMs(cell.workload, NETWORK_PROFILES[profile]))})`,
            );
          } catch (error) {
            const message = `${label} run ${run}: ${firstLine(error)}`;
            failures.push(message);
            progress.step(`${String(done).padStart(4)}/${timedRuns} FAILED ${message}`);
          }
        }
      }
    }
  }
  for (const m of measurements.values()) {
    m.serverCpuMsPerStudy /= Math.max(1, m.runs.length);
    m.serverBytesInPerStudy /= Math.max(1, m.runs.length);
  }
  return { measurements: [...measurements.values()].filter((m) => m.runs.length > 0), failures };
}

/** The memory batch on lan with the default pool, the page's JS heap sampled every 50 ms. */
export async function runMemory(
  options: { runs: number; lanWarmedUp: boolean },
  { study, setProfile, progress }: TimedRunContext,
): Promise<{ memory?: MemoryResult; failures: string[] }> {
  const { runs } = options;
  progress.step(
    `memory: ${MEMORY_WORKLOAD.id} on lan, ${PRODUCT_DEFAULT}, ${runs} run(s) with JS heap sampled every 50 ms`,
  );
  setProfile("lan");
  const memory: MemoryResult = { workloadId: MEMORY_WORKLOAD.id, profile: "lan", strategy: PRODUCT_DEFAULT, runs: [] };
  const failures: string[] = [];
  if (!options.lanWarmedUp) await study(PRODUCT_DEFAULT, WARM_UP_WORKLOAD, "lan", 0);
  for (let run = 1; run <= runs; run += 1) {
    const probe = createHeapProbe(50);
    try {
      const result = await study(PRODUCT_DEFAULT, MEMORY_WORKLOAD, "lan", 0, probe.hooks);
      const heap = probe.result();
      const { totalMs, longestTaskMs } = result.sample;
      memory.runs.push({ ...heap, totalMs, longestTaskMs });
      progress.step(
        `memory run ${run}/${runs}: heap ${(heap.baselineHeapBytes / MIB).toFixed(1)} → peak ${(heap.peakHeapBytes / MIB).toFixed(1)} MiB ` +
          `(${heap.samples} samples), ${formatSeconds(totalMs)}, longest task ${longestTaskMs ? `${longestTaskMs.toFixed(0)} ms` : `none over ${LONG_TASK_MS} ms`}`,
      );
    } catch (error) {
      failures.push(`memory run ${run}: ${firstLine(error)}`);
      progress.step(`memory run ${run} FAILED: ${failures.at(-1)}`);
    }
  }
  return { memory: memory.runs.length > 0 ? memory : undefined, failures };
}
