import { DEFAULT_LIMITS } from "@study-uploader/shared";
import { isLossyProfile, planLossyProfile } from "./loss-plan.js";
import { NETWORK_PROFILES, type NetworkProfile, type NetworkProfileName } from "./network-profiles.js";

/*
 * Which cells (workload × profile × strategy) a run measures. The full matrix takes far longer than the 10-minute
 * budget (16 × 8 MiB sequential on home alone is ~55 s a run), so the default measures the two workloads the targets
 * name and lists everything it leaves out; --full measures everything.
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;

export type StrategyName =
  "sequential" | "pool-3" | "pool-6" | "pool-12" | "gateway" | "gateway-12" | "gateway-6" | "relay";
export const STRATEGIES: readonly StrategyName[] = [
  "sequential",
  "pool-3",
  "pool-6",
  "pool-12",
  "gateway",
  "gateway-12",
  "gateway-6",
  "relay",
];

/**
 * UPLOAD_CONCURRENCY of the API behind each cross-origin strategy (one API process each): the page from the API's
 * origin, uploads to storage's, both over HTTP/1.1.
 */
export const PRODUCT_CONCURRENCY = {
  sequential: 1,
  "pool-3": 3,
  "pool-6": 6,
  "pool-12": 12,
} as const satisfies Partial<Record<StrategyName, number>>;
export type ProductStrategy = keyof typeof PRODUCT_CONCURRENCY;

/**
 * The same product behind one HTTP/2 front door (page, API and storage on one origin), one API process each; the
 * number is the API's UPLOAD_CONCURRENCY_HTTP2, the pool the page runs once it sees HTTP/2. `gateway` is the
 * default (16); 6 and 12 are measured beside it, which is how the default was chosen.
 */
export const GATEWAY_CONCURRENCY = {
  gateway: DEFAULT_LIMITS.http2Concurrency,
  "gateway-12": 12,
  "gateway-6": 6,
} as const satisfies Partial<Record<StrategyName, number>>;
export type GatewayStrategy = keyof typeof GATEWAY_CONCURRENCY;

/** The product as shipped: the strategy the targets are about. */
export const PRODUCT_DEFAULT: ProductStrategy = "pool-6";
/** The product's default concurrency through the front door. */
export const GATEWAY_DEFAULT: GatewayStrategy = "gateway";

export function isGatewayStrategy(strategy: StrategyName): strategy is GatewayStrategy {
  return strategy in GATEWAY_CONCURRENCY;
}

/** The pool a product strategy runs: UPLOAD_CONCURRENCY cross-origin, UPLOAD_CONCURRENCY_HTTP2 through the gateway. */
export function uploadConcurrency(strategy: ProductStrategy | GatewayStrategy): number {
  return isGatewayStrategy(strategy) ? GATEWAY_CONCURRENCY[strategy] : PRODUCT_CONCURRENCY[strategy];
}

/** Strategies that drive the product's web app (everything but the relay). */
export function isProductStrategy(strategy: StrategyName): strategy is ProductStrategy | GatewayStrategy {
  return strategy in PRODUCT_CONCURRENCY || isGatewayStrategy(strategy);
}

/**
 * Seconds the researcher spends between picking the files and clicking Create study (typing the title).
 * At 0 the title is typed before the pick, as every run did before think time was measured.
 */
export const THINK_TIMES_S: readonly number[] = [0, 5, 20];

export interface Workload {
  /** "16×2 MiB", or "1×256 MiB + 15×2 MiB" for mixed sizes */
  id: string;
  /** All files, of every size. */
  files: number;
  /** The size of every file, or of the largest when `parts` lists mixed sizes. */
  fileBytes: number;
  /** Mixed sizes: so many files of each size, in the order they are picked. */
  parts?: ReadonlyArray<{ files: number; fileBytes: number }>;
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

/** The files of a workload as groups of one size (one group unless it mixes sizes). */
export const workloadParts = (w: Workload): ReadonlyArray<{ files: number; fileBytes: number }> =>
  w.parts ?? [{ files: w.files, fileBytes: w.fileBytes }];

export const totalBytes = (w: Workload): number =>
  workloadParts(w).reduce((sum, part) => sum + part.files * part.fileBytes, 0);

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
  /** Think time between pick and click, in seconds. */
  thinkS: number;
  strategies: StrategyName[];
  /** Runs of each strategy; the run's --runs when undefined. */
  runs?: number;
}

export interface SkippedCell {
  profile: NetworkProfileName;
  workload: Workload;
  thinkS: number;
  /** Undefined when the whole cell is skipped. */
  strategy?: StrategyName;
  reason: string;
}

export interface BenchPlan {
  cells: PlannedCell[];
  skipped: SkippedCell[];
}

export const runsOf = (cell: PlannedCell, runsPerCell: number): number =>
  Math.min(cell.runs ?? runsPerCell, runsPerCell);

export const timedRunCount = (plan: BenchPlan, runsPerCell: number): number =>
  plan.cells.reduce((sum, c) => sum + c.strategies.length * runsOf(c, runsPerCell), 0);

/**
 * Default (T = 0): the target workloads on every profile with pool-6, the gateway and the relay; the gateway at 6
 * wherever a run is short (all but 16×2 MiB on home), sequential for 16×256 KiB on far (the speedup target), every
 * strategy but pool-3 where a 16×2 MiB transfer is short (lan, office) and the gateway at 12 where it takes a few
 * seconds (far),
 * so pool 6, 12 and 16 over HTTP/2 can be compared. Then think time: T = 5 s for both target workloads on office,
 * home and far, T = 20 s for 16×2 MiB on home (the one upload still running after 5 s), both with pool-6 and the
 * gateway and fewer runs. A run costs its own time plus ~1.5 s for a fresh context and page load, plus T; this is
 * what fits in 15 minutes on two cores.
 */
export const DEFAULT_VARIANTS_MAX_IDEAL_MS = 3_000;
export const DEFAULT_GATEWAY_12_MAX_IDEAL_MS = 6_000;
/** Where sequential runs by default: the profile of the speedup target. */
const SEQUENTIAL_PROFILE: NetworkProfileName = "far";
/** The relay starts at the click whatever T is, so its click→study is T = 0's; measured with --full. */
const THINK_STRATEGIES: readonly StrategyName[] = ["pool-6", "gateway"];
const THINK_CELLS: ReadonlyArray<{
  thinkS: number;
  profiles: NetworkProfileName[];
  workloadIds: string[];
  runs: number;
}> = [
  { thinkS: 5, profiles: ["office", "home", "far"], workloadIds: ["16×256 KiB", "16×2 MiB"], runs: 2 },
  { thinkS: 20, profiles: ["home"], workloadIds: ["16×2 MiB"], runs: 1 },
];

const QUICK_CELLS: ReadonlyArray<[NetworkProfileName, string]> = [
  ["lan", "16×256 KiB"],
  ["far", "16×256 KiB"],
];
const QUICK_STRATEGIES: readonly StrategyName[] = ["sequential", "pool-6", "gateway", "relay"];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function defaultStrategies(
  profile: NetworkProfileName,
  w: Workload,
  ideal: number,
): { strategies: readonly StrategyName[]; why: string } {
  if (w.fileBytes <= 256 * KIB)
    return {
      strategies: [
        ...(profile === SEQUENTIAL_PROFILE ? ["sequential" as const] : []),
        "pool-6",
        "gateway",
        "gateway-6",
        "relay",
      ],
      why: `small files: round trips, not concurrency, decide; sequential only on ${SEQUENTIAL_PROFILE}`,
    };
  // pool-3 is left to --full: slower than 6 wherever it was measured, and a run less on every short cell.
  if (ideal <= DEFAULT_VARIANTS_MAX_IDEAL_MS)
    return { strategies: STRATEGIES.filter((s) => s !== "pool-3"), why: "pool-3 runs with --full" };
  const why = `ideal ${seconds(ideal)} > ${seconds(DEFAULT_VARIANTS_MAX_IDEAL_MS)}`;
  if (ideal <= DEFAULT_GATEWAY_12_MAX_IDEAL_MS)
    return { strategies: ["pool-6", "gateway", "gateway-12", "gateway-6", "relay"], why };
  return {
    strategies: ["pool-6", "gateway", "relay"],
    why: `${why}; > ${seconds(DEFAULT_GATEWAY_12_MAX_IDEAL_MS)} for the gateway's other pools`,
  };
}

export function planMatrix(options: PlanOptions): BenchPlan {
  const cells: PlannedCell[] = [];
  const skipped: SkippedCell[] = [];
  const measure = (
    cell: Omit<PlannedCell, "strategies">,
    strategies: readonly StrategyName[],
    reasonForRest: string,
  ) => {
    cells.push({ ...cell, strategies: [...strategies] });
    for (const strategy of STRATEGIES.filter((s) => !strategies.includes(s)))
      skipped.push({
        profile: cell.profile,
        workload: cell.workload,
        thinkS: cell.thinkS,
        strategy,
        reason: reasonForRest,
      });
  };
  // The lossy links have a plan of their own (loss-plan.ts), every think time included; --full measures all.
  const lossless = options.profiles.filter((p) => options.mode === "full" || !isLossyProfile(p));
  for (const profile of options.profiles.filter((p) => !lossless.includes(p))) {
    const lossy = planLossyProfile(profile, options.mode as "quick" | "default", WORKLOADS, THINK_TIMES_S, STRATEGIES);
    cells.push(...lossy.cells);
    skipped.push(...lossy.skipped);
  }
  for (const profile of lossless) {
    for (const w of WORKLOADS) {
      const ideal = idealMs(w, NETWORK_PROFILES[profile]);
      if (options.mode === "full") {
        measure({ profile, workload: w, thinkS: 0 }, STRATEGIES, "");
      } else if (options.mode === "quick") {
        if (QUICK_CELLS.some(([p, id]) => p === profile && id === w.id))
          measure({ profile, workload: w, thinkS: 0 }, QUICK_STRATEGIES, "not in --quick");
        else skipped.push({ profile, workload: w, thinkS: 0, reason: "not in --quick" });
      } else if (!KEY_WORKLOAD_IDS.includes(w.id)) {
        skipped.push({
          profile,
          workload: w,
          thinkS: 0,
          reason: `skipped (not a target workload, ideal ${seconds(ideal)}; run with --full)`,
        });
      } else {
        const { strategies, why } = defaultStrategies(profile, w, ideal);
        measure({ profile, workload: w, thinkS: 0 }, strategies, `skipped (${why}; run with --full)`);
      }
    }
  }
  for (const thinkS of THINK_TIMES_S.filter((t) => t > 0)) {
    for (const profile of lossless) {
      for (const w of WORKLOADS.filter((w) => KEY_WORKLOAD_IDS.includes(w.id))) {
        const inDefault = THINK_CELLS.find(
          (t) => t.thinkS === thinkS && t.profiles.includes(profile) && t.workloadIds.includes(w.id),
        );
        if (options.mode === "full") measure({ profile, workload: w, thinkS }, STRATEGIES, "");
        else if (options.mode === "quick" && thinkS === 5 && profile === "far" && w.id === "16×256 KiB")
          measure({ profile, workload: w, thinkS, runs: 1 }, THINK_STRATEGIES, "not in --quick");
        else if (options.mode === "default" && inDefault)
          measure(
            { profile, workload: w, thinkS, runs: inDefault.runs },
            THINK_STRATEGIES,
            "skipped (the relay starts at the click whatever T is; other pools: run with --full)",
          );
        else
          skipped.push({
            profile,
            workload: w,
            thinkS,
            reason: options.mode === "quick" ? "not in --quick" : "skipped (think time; run with --full)",
          });
      }
    }
  }
  return { cells, skipped };
}
