import { NETWORK_PROFILES, type NetworkProfile, type NetworkProfileName } from "./network-profiles.js";

/*
 * Which cells (workload × profile × strategy) a run measures. The full matrix takes far longer than the 10-minute
 * budget (16 × 8 MiB sequential on home alone is ~55 s a run), so the default keeps every cell whose ideal time is
 * short, always keeps the two workloads the targets name, and lists everything it leaves out.
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;

export type StrategyName = "sequential" | "pool-3" | "pool-6" | "pool-12" | "relay";
export const STRATEGIES: readonly StrategyName[] = ["sequential", "pool-3", "pool-6", "pool-12", "relay"];

/** UPLOAD_CONCURRENCY of the API that serves each product strategy (one API process each). */
export const PRODUCT_CONCURRENCY = { sequential: 1, "pool-3": 3, "pool-6": 6, "pool-12": 12 } as const satisfies Partial<Record<StrategyName, number>>;
export type ProductStrategy = keyof typeof PRODUCT_CONCURRENCY;

export function isProductStrategy(strategy: StrategyName): strategy is ProductStrategy {
  return strategy in PRODUCT_CONCURRENCY;
}

export interface Workload {
  /** "16×2 MiB" */
  id: string;
  files: number;
  fileBytes: number;
}

export function formatFileSize(bytes: number): string {
  return bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / KIB} KiB`;
}

export function workload(files: number, fileBytes: number): Workload {
  return { id: `${files}×${formatFileSize(fileBytes)}`, files, fileBytes };
}

export const WORKLOADS: readonly Workload[] = [256 * KIB, 2 * MIB, 8 * MIB].flatMap((size) => [4, 8, 16].map((files) => workload(files, size)));

/** The workloads the targets are stated for; measured on every profile whatever their ideal time. */
export const KEY_WORKLOAD_IDS: readonly string[] = ["16×256 KiB", "16×2 MiB"];

/** The one batch for memory and main-thread measurements (lan, pool-6). */
export const MEMORY_WORKLOAD = workload(16, 16 * MIB);

export const totalBytes = (w: Workload): number => w.files * w.fileBytes;

/** Total bytes ÷ link bandwidth + one RTT; 0 on an unshaped link (lan), where efficiency has no meaning. */
export function idealMs(w: Workload, profile: NetworkProfile): number {
  const transferMs = Number.isFinite(profile.uploadBitsPerSecond) ? ((totalBytes(w) * 8) / profile.uploadBitsPerSecond) * 1000 : 0;
  return transferMs + profile.rttMs;
}

export type BenchMode = "quick" | "default" | "full";

export interface PlanOptions {
  mode: BenchMode;
  profiles: readonly NetworkProfileName[];
}

export interface PlannedCell {
  profile: NetworkProfileName;
  workload: Workload;
  strategies: StrategyName[];
}

export interface SkippedCell {
  profile: NetworkProfileName;
  workload: Workload;
  /** Undefined when the whole cell is skipped. */
  strategy?: StrategyName;
  reason: string;
}

export interface BenchPlan {
  cells: PlannedCell[];
  skipped: SkippedCell[];
}

/** Default: cells up to this ideal time (plus the key workloads) are measured. */
export const DEFAULT_MAX_IDEAL_MS = 1_500;
/** Default: pool-3 and pool-12 are measured on 16-file workloads up to this ideal time. */
export const DEFAULT_MAX_IDEAL_VARIANTS_MS = 3_000;

const QUICK_CELLS: ReadonlyArray<[NetworkProfileName, string]> = [
  ["lan", "16×256 KiB"],
  ["lan", "16×2 MiB"],
  ["far", "16×256 KiB"],
];
const QUICK_STRATEGIES: readonly StrategyName[] = ["sequential", "pool-6", "relay"];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function planMatrix(options: PlanOptions): BenchPlan {
  const cells: PlannedCell[] = [];
  const skipped: SkippedCell[] = [];
  for (const profile of options.profiles) {
    for (const w of WORKLOADS) {
      const ideal = idealMs(w, NETWORK_PROFILES[profile]);
      if (options.mode === "full") {
        cells.push({ profile, workload: w, strategies: [...STRATEGIES] });
        continue;
      }
      if (options.mode === "quick") {
        if (QUICK_CELLS.some(([p, id]) => p === profile && id === w.id)) {
          cells.push({ profile, workload: w, strategies: [...QUICK_STRATEGIES] });
          for (const strategy of STRATEGIES.filter((s) => !QUICK_STRATEGIES.includes(s))) {
            skipped.push({ profile, workload: w, strategy, reason: "not in --quick" });
          }
        } else {
          skipped.push({ profile, workload: w, reason: "not in --quick" });
        }
        continue;
      }
      if (ideal > DEFAULT_MAX_IDEAL_MS && !KEY_WORKLOAD_IDS.includes(w.id)) {
        skipped.push({ profile, workload: w, reason: `skipped (ideal ${seconds(ideal)} > ${seconds(DEFAULT_MAX_IDEAL_MS)}; run with --full)` });
        continue;
      }
      const variants = w.files === 16 && ideal <= DEFAULT_MAX_IDEAL_VARIANTS_MS;
      const strategies = STRATEGIES.filter((s) => variants || (s !== "pool-3" && s !== "pool-12"));
      cells.push({ profile, workload: w, strategies });
      if (!variants) {
        const why = w.files === 16 ? `ideal ${seconds(ideal)} > ${seconds(DEFAULT_MAX_IDEAL_VARIANTS_MS)}` : "fewer than 16 files";
        for (const strategy of ["pool-3", "pool-12"] as const) {
          skipped.push({ profile, workload: w, strategy, reason: `skipped (${why}; run with --full)` });
        }
      }
    }
  }
  return { cells, skipped };
}
