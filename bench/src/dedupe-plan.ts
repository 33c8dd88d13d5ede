import { GATEWAY_DEFAULT, MIB, PRODUCT_DEFAULT, workload, type BenchMode, type Workload } from "./bench-plan.js";
import type { StrategyName } from "./bench-plan.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";

/** The dedupe case's batch: large enough that sending it again shows (5.5 s of bytes on far). */
export const DEDUPE_WORKLOAD: Workload = workload(16, 2 * MIB);
const DEDUPE_STRATEGIES: readonly StrategyName[] = [PRODUCT_DEFAULT, GATEWAY_DEFAULT];
/** Long enough that bytes not sent show, short enough to run twice per strategy. */
const PREFERRED_PROFILE: NetworkProfileName = "far";

export interface DedupePlan {
  profile: NetworkProfileName;
  workload: Workload;
  strategies: readonly StrategyName[];
  runs: number;
}

/** far when the run includes it, else the first shaped lossless profile asked for, else the first. */
export function planDedupe(mode: BenchMode, profiles: readonly NetworkProfileName[]): DedupePlan {
  const shaped = profiles.filter(
    (p) => Number.isFinite(NETWORK_PROFILES[p].uploadBitsPerSecond) && NETWORK_PROFILES[p].lossRate === 0,
  );
  const profile = profiles.includes(PREFERRED_PROFILE) ? PREFERRED_PROFILE : (shaped[0] ?? profiles[0]!);
  return {
    profile,
    workload: DEDUPE_WORKLOAD,
    strategies: DEDUPE_STRATEGIES,
    // One pair per strategy by default: 16 uploads or none is the finding, and the run's time is short.
    runs: mode === "full" ? 3 : 1,
  };
}
