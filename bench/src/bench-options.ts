import { parseArgs } from "node:util";
import type { BenchMode } from "./bench-plan.js";
import { NETWORK_PROFILES, networkProfile, type NetworkProfileName } from "./network-profiles.js";

/* The command line of `pnpm bench`, read and checked once. */

export interface BenchOptions {
  mode: BenchMode;
  runsPerCell: number;
  profiles: NetworkProfileName[];
  /** Use the web app and the API as last built. */
  skipBuild: boolean;
  /** TCP slow start on every proxied connection: closer to real links, where one stream rarely fills the pipe. */
  slowStart: boolean;
  /** The large-file bench (issue 21) instead of the default one; writes latest-large.*. */
  large: boolean;
  /** Print BENCH_USAGE and run nothing. */
  help: boolean;
}

export const BENCH_USAGE = `pnpm bench [options]

  (none)            the default plan: target workloads on every profile, gateway pools, think time T = 5 and 20 s
                    (about 14-16 min on 2 cores); writes bench/results/latest.{json,md} and two .svg charts
  --quick           16×256 KiB on lan and far, T = 5 s on far, one memory run (about 3 min); writes latest-quick.*
  --full            every workload, profile and strategy, and every think time for the target workloads (hours)
  --runs N          runs per cell (default 3; think-time cells run at most 2 or 1)
  --profiles a,b    network profiles: lan, office, home, far, home-wifi (0.1 % loss), far-lossy (1 % loss)
  --large           large files instead (blocks vs single PUT, adaptive vs fixed pool, preflights, reload at 60 %,
                    1 GiB page memory, API CPU and storage calls per GiB); office and far, 2 runs (about 40 min);
                    with --full every strategy on every profile; writes latest-large.{json,md}
  --slow-start      model TCP slow start on every proxied connection; writes latest-slow-start.*
  --skip-build      use the web app and API as last built
  --help            this text
`;

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      runs: { type: "string" },
      profiles: { type: "string" },
      "skip-build": { type: "boolean", default: false },
      "slow-start": { type: "boolean", default: false },
      large: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.quick && values.full) throw new Error("--quick and --full exclude each other");
  const mode: BenchMode = values.quick ? "quick" : values.full ? "full" : "default";
  const runsPerCell = Number(values.runs ?? (values.large ? 2 : 3));
  if (!Number.isInteger(runsPerCell) || runsPerCell < 1)
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const profiles = (
    values.profiles?.split(",").map((p) => p.trim()) ??
    (mode === "quick" ? ["lan", "far"] : values.large ? ["office", "far"] : Object.keys(NETWORK_PROFILES))
  ).map((name) => networkProfile(name).name as NetworkProfileName);
  return {
    mode,
    runsPerCell,
    profiles,
    skipBuild: values["skip-build"],
    slowStart: values["slow-start"],
    large: values.large,
    help: values.help,
  };
}
