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
}

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
    },
  });
  if (values.quick && values.full) throw new Error("--quick and --full exclude each other");
  const mode: BenchMode = values.quick ? "quick" : values.full ? "full" : "default";
  const runsPerCell = Number(values.runs ?? 3);
  if (!Number.isInteger(runsPerCell) || runsPerCell < 1)
    throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const profiles = (
    values.profiles?.split(",").map((p) => p.trim()) ??
    (mode === "quick" ? ["lan", "far"] : Object.keys(NETWORK_PROFILES))
  ).map((name) => networkProfile(name).name as NetworkProfileName);
  return { mode, runsPerCell, profiles, skipBuild: values["skip-build"], slowStart: values["slow-start"] };
}
