import { NETWORK_PROFILES, type NetworkProfile, type NetworkProfileName } from "./network-profiles.js";

/*
 * Which cells (workload × profile × strategy) a run measures. The full matrix takes far longer than the 10-minute
 * budget (16 × 8 MiB sequential on home alone is ~55 s a run), so the default measures the two workloads the targets
 * name and lists everything it leaves out; --full measures everything.
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;

export type StrategyName = "sequential" | "pool-3" | "pool-6" | "pool-12" | "relay";
export const STRATEGIES: readonly StrategyName[] = ["sequential", "pool-3", "pool-6", "pool-12", "relay"];

/** UPLOAD_CONCURRENCY of the API that serves each product strategy (one API process each). */
export const PRODUCT_CONCURRENCY = {
  sequential: 1,
  "pool-3": 3,
  "pool-6": 6,
  "pool-12": 12,
} as const satisfies Partial<Record<StrategyName, number>>;
export type ProductStrategy = keyof typeof PRODUCT_CONCURRENCY;

/** The product as shipped: the strategy the targets are about. */
export const PRODUCT_DEFAULT: ProductStrategy = "pool-6";

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

export const WORKLOADS: readonly Workload[] = [256 * KIB, 2 * MIB, 8 * MIB].flatMap((size) =>
  [4, 8, 16].map((files) => workload(files, size)),
);

/** The workloads the targets are stated for; measured on every profile whatever their ideal time. */
export const KEY_WORKLOAD_IDS: readonly string[] = ["16×256 KiB", "16×2 MiB"];

/** The one batch for memory and main-thread measurements (lan, pool-6). */
export const MEMORY_WORKLOAD = workload(16, 16 * MIB);

/** Warm-ups (one untimed run per strategy and profile) use the smallest workload: JIT and start-up, not transfer. */
export const WARM_UP_WORKLOAD = workload(4, 256 * KIB);

export const totalBytes = (w: Workload): number => w.files * w.fileBytes;

/** Total bytes ÷ link bandwidth + one RTT; 0 on an unshaped link (lan), where efficiency has no meaning. */
export function idealMs(w: Workload, profile: NetworkProfile): number {
  const transferMs = Number.isFinite(profile.uploadBitsPerSecond)
    ? ((totalBytes(w) * 8) / profile.uploadBitsPerSecond) * 1000
    : 0;
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

export const timedRunCount = (plan: BenchPlan, runsPerCell: number): number =>
  plan.cells.reduce((sum, c) => sum + c.strategies.length, 0) * runsPerCell;

/**
 * Default: the target workloads on every profile with sequential, pool-6 and relay; pool-3 and pool-12 where the
 * 16-file transfer is short enough to show what concurrency changes. Measured on this machine a run costs its own
 * time plus ~1.5 s for a fresh context and page load, and 16×2 MiB on home alone takes ~2.5 minutes for three
 * strategies × three runs, so this is what fits in 10 minutes.
 */
export const DEFAULT_VARIANTS_MAX_IDEAL_MS = 3_000;
const DEFAULT_STRATEGIES: readonly StrategyName[] = ["sequential", "pool-6", "relay"];

const QUICK_CELLS: ReadonlyArray<[NetworkProfileName, string]> = [
  ["lan", "16×256 KiB"],
  ["far", "16×256 KiB"],
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function planMatrix(options: PlanOptions): BenchPlan {
  const cells: PlannedCell[] = [];
  const skipped: SkippedCell[] = [];
  const measure = (
    profile: NetworkProfileName,
    w: Workload,
    strategies: readonly StrategyName[],
    reasonForRest: string,
  ) => {
    cells.push({ profile, workload: w, strategies: [...strategies] });
    for (const strategy of STRATEGIES.filter((s) => !strategies.includes(s)))
      skipped.push({ profile, workload: w, strategy, reason: reasonForRest });
  };
  for (const profile of options.profiles) {
    for (const w of WORKLOADS) {
      const ideal = idealMs(w, NETWORK_PROFILES[profile]);
      if (options.mode === "full") {
        measure(profile, w, STRATEGIES, "");
      } else if (options.mode === "quick") {
        if (QUICK_CELLS.some(([p, id]) => p === profile && id === w.id))
          measure(profile, w, DEFAULT_STRATEGIES, "not in --quick");
        else skipped.push({ profile, workload: w, reason: "not in --quick" });
      } else if (!KEY_WORKLOAD_IDS.includes(w.id)) {
        skipped.push({
          profile,
          workload: w,
          reason: `skipped (not a target workload, ideal ${seconds(ideal)}; run with --full)`,
        });
      } else if (w.fileBytes > 256 * KIB && ideal <= DEFAULT_VARIANTS_MAX_IDEAL_MS) {
        measure(profile, w, STRATEGIES, "");
      } else {
        const why =
          w.fileBytes <= 256 * KIB
            ? "small files: round trips, not concurrency, decide"
            : `ideal ${seconds(ideal)} > ${seconds(DEFAULT_VARIANTS_MAX_IDEAL_MS)}`;
        measure(profile, w, DEFAULT_STRATEGIES, `skipped (${why}; run with --full)`);
      }
    }
  }
  return { cells, skipped };
}
