import {
  idealMs,
  totalBytes,
  type BenchMode,
  type PlannedCell,
  type SkippedCell,
  type StrategyName,
  type Workload,
} from "./bench-plan.js";
import { mathisBitsPerSecond } from "./congestion-window.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";

/*
 * What the default run measures on the links with loss (issue 22): which of the relay (one connection), the
 * gateway (one HTTP/2 connection) and the pools (up to six connections) wins once each connection has its own
 * congestion window. Transfers there take much longer than the link's ideal (one connection on far-lossy moves
 * about 1 Mbit/s), so the cells are few and chosen for the question, not the whole matrix.
 */

/** Profiles whose every connection runs a congestion window with random loss. */
export const isLossyProfile = (profile: NetworkProfileName): boolean => NETWORK_PROFILES[profile].lossRate > 0;

/** One connection, one HTTP/2 connection at the default pool and at 6, six connections at pool 6 and 12. */
export const LOSS_STRATEGIES: readonly StrategyName[] = ["pool-6", "pool-12", "gateway", "gateway-6", "relay"];
/** The relay starts at the click whatever T is, so its click → study is T = 0's. */
const LOSS_THINK_STRATEGIES: readonly StrategyName[] = ["pool-6", "pool-12", "gateway"];

interface LossCell {
  profile: NetworkProfileName;
  workloadId: string;
  thinkS: number;
  strategies: readonly StrategyName[];
  runs: number;
}

/**
 * About nine minutes on two cores: a run of the relay or the gateway on far-lossy alone takes ~25 s for 4 MiB, so
 * the slow cells run once or twice; the default run stays under ~25 minutes.
 */
export const DEFAULT_LOSS_CELLS: readonly LossCell[] = [
  { profile: "home-wifi", workloadId: "16×256 KiB", thinkS: 0, strategies: LOSS_STRATEGIES, runs: 2 },
  {
    profile: "home-wifi",
    workloadId: "16×2 MiB",
    thinkS: 0,
    strategies: ["pool-6", "pool-12", "gateway", "relay"],
    runs: 1,
  },
  { profile: "home-wifi", workloadId: "16×256 KiB", thinkS: 5, strategies: LOSS_THINK_STRATEGIES, runs: 1 },
  {
    profile: "far-lossy",
    workloadId: "16×256 KiB",
    thinkS: 0,
    strategies: ["pool-6", "pool-12", "gateway", "relay"],
    runs: 2,
  },
  { profile: "far-lossy", workloadId: "16×256 KiB", thinkS: 5, strategies: LOSS_THINK_STRATEGIES, runs: 1 },
];

/** --quick on a lossy profile: the small batch at once, one run. */
const QUICK_LOSS_STRATEGIES: readonly StrategyName[] = ["pool-6", "gateway", "relay"];

const LEFT_OUT =
  "skipped on a lossy link (one connection there needs minutes for 32 MiB; the cells measured answer which design wins; run with --full)";

/** The cells of one lossy profile for this mode, and everything it leaves out (with the reason). */
export function planLossyProfile(
  profile: NetworkProfileName,
  mode: Exclude<BenchMode, "full">,
  workloads: readonly Workload[],
  thinkTimes: readonly number[],
  allStrategies: readonly StrategyName[],
): { cells: PlannedCell[]; skipped: SkippedCell[] } {
  const cells: PlannedCell[] = [];
  const skipped: SkippedCell[] = [];
  for (const thinkS of thinkTimes) {
    for (const w of workloads) {
      const planned =
        mode === "quick"
          ? thinkS === 0 && w.id === "16×256 KiB"
            ? { strategies: QUICK_LOSS_STRATEGIES, runs: 1 }
            : undefined
          : DEFAULT_LOSS_CELLS.find((c) => c.profile === profile && c.workloadId === w.id && c.thinkS === thinkS);
      if (!planned) {
        skipped.push({ profile, workload: w, thinkS, reason: mode === "quick" ? "not in --quick" : LEFT_OUT });
        continue;
      }
      cells.push({ profile, workload: w, thinkS, strategies: [...planned.strategies], runs: planned.runs });
      for (const strategy of allStrategies.filter((s) => !planned.strategies.includes(s)))
        skipped.push({ profile, workload: w, thinkS, strategy, reason: LEFT_OUT });
    }
  }
  return { cells, skipped };
}

/**
 * How long a run may take before it counts as failed: ten times the ideal, or three times what one connection needs
 * at Mathis's rate on a lossy link (the relay's and the gateway's case), whichever is longer, plus T and a minute.
 */
export function runTimeoutMs(w: Workload, profile: NetworkProfileName, thinkS: number): number {
  const p = NETWORK_PROFILES[profile];
  const perConnection = mathisBitsPerSecond(p.rttMs, p.lossRate);
  const oneConnectionMs = Number.isFinite(perConnection) ? ((totalBytes(w) * 8) / perConnection) * 1000 : 0;
  return Math.max(10 * idealMs(w, p), 3 * oneConnectionMs) + thinkS * 1000 + 60_000;
}
