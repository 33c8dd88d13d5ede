import { MIB, formatFileSize, workload, type Workload } from "./bench-plan.js";
import type { NetworkProfileName } from "./network-profiles.js";

/*
 * `pnpm bench --large`: files sent as blocks (issue 21). Five APIs side by side, each one process with its own
 * settings, all allowing files up to 1 GiB: the product's defaults cross-origin (blocks, adaptive pool) and behind
 * the HTTP/2 gateway, the same with a fixed pool (6 cross-origin, 16 through the gateway), and single PUTs (a block
 * threshold above every file). Opt-in: a run of it takes about half an hour.
 */

export const GIB = 1024 * MIB;

export type LargeStrategy = "blocks" | "fixed-6" | "single-put" | "gateway" | "gateway-fixed-16";

export interface LargeStrategySpec {
  name: LargeStrategy;
  /** Cross-origin over HTTP/1.1 through the shaping proxies, or one HTTP/2 front door. */
  gateway: boolean;
  /** On top of the bench's API environment. */
  env: Readonly<Record<string, string>>;
  about: string;
}

/** MAX_FILE_BYTES of every large-bench API: the 1 GiB memory file must be allowed (MAX_BATCH_BYTES follows it). */
export const LARGE_MAX_FILE_BYTES = GIB;

export const LARGE_STRATEGIES: readonly LargeStrategySpec[] = [
  { name: "blocks", gateway: false, env: {}, about: "product defaults cross-origin: blocks, adaptive pool ≤ 6" },
  {
    name: "fixed-6",
    gateway: false,
    env: { UPLOAD_CONCURRENCY_ADAPTIVE: "false", UPLOAD_CONCURRENCY: "6" },
    about: "blocks, fixed pool of 6 (UPLOAD_CONCURRENCY_ADAPTIVE=false)",
  },
  {
    name: "single-put",
    gateway: false,
    env: { UPLOAD_BLOCK_THRESHOLD_BYTES: String(LARGE_MAX_FILE_BYTES) },
    about: "one Put Blob per file (UPLOAD_BLOCK_THRESHOLD_BYTES = 1 GiB), adaptive pool",
  },
  { name: "gateway", gateway: true, env: {}, about: "product defaults behind the HTTP/2 front door: adaptive ≤ 16" },
  {
    name: "gateway-fixed-16",
    gateway: true,
    env: { UPLOAD_CONCURRENCY_ADAPTIVE: "false" },
    about: "behind the front door, fixed pool of 16",
  },
];

export const LARGE_DEFAULT: LargeStrategy = "blocks";

/** A workload of several file sizes, picked in the order given. */
export function mixedWorkload(parts: ReadonlyArray<{ files: number; fileBytes: number }>): Workload {
  return {
    id: parts.map((p) => `${p.files}×${formatFileSize(p.fileBytes)}`).join(" + "),
    files: parts.reduce((sum, p) => sum + p.files, 0),
    fileBytes: Math.max(...parts.map((p) => p.fileBytes)),
    parts,
  };
}

export const LARGE_WORKLOADS: readonly Workload[] = [
  workload(1, 256 * MIB),
  workload(4, 64 * MIB),
  mixedWorkload([
    { files: 1, fileBytes: 256 * MIB },
    { files: 15, fileBytes: 2 * MIB },
  ]),
];

/** The existing key workload: adaptive must not make small files slower. */
export const SMALL_WORKLOAD = workload(16, 2 * MIB);
/** Page heap and long tasks while one 1 GiB file goes (lan). */
export const LARGE_MEMORY_WORKLOAD = workload(1, GIB);
/** Reloaded at 60 % of its bytes, then added again. */
export const RELOAD_WORKLOAD = workload(1, 256 * MIB);
export const RELOAD_AT_FRACTION = 0.6;

export interface LargeCell {
  profile: NetworkProfileName;
  workload: Workload;
  strategies: LargeStrategy[];
}

const ALL = LARGE_STRATEGIES.map((s) => s.name);

/**
 * By default (what fits in about 25 minutes on two cores): on the first profile (office) the single 256 MiB file with
 * every strategy and the other two workloads with the product defaults (`blocks`, `gateway`); on the other profiles
 * the single file with the product defaults; then 16×2 MiB, adaptive vs fixed, on the first profile. `--full`: every
 * large workload with every strategy on every profile (over an hour).
 */
export function planLarge(profiles: readonly NetworkProfileName[], options: { full?: boolean } = {}): LargeCell[] {
  const defaults: LargeStrategy[] = ["blocks", "gateway"];
  const cells: LargeCell[] = [];
  profiles.forEach((profile, i) => {
    for (const w of LARGE_WORKLOADS) {
      const single = w.id === LARGE_WORKLOADS[0]!.id;
      if (options.full) cells.push({ profile, workload: w, strategies: [...ALL] });
      else if (i === 0) cells.push({ profile, workload: w, strategies: single ? [...ALL] : [...defaults] });
      else if (single) cells.push({ profile, workload: w, strategies: [...defaults] });
    }
  });
  if (profiles.length > 0)
    cells.push({
      profile: profiles[0]!,
      workload: SMALL_WORKLOAD,
      strategies: ["blocks", "fixed-6", "gateway", "gateway-fixed-16"],
    });
  return cells;
}

/** What the default plan leaves out, for the report. */
export function largePlanReductions(profiles: readonly NetworkProfileName[], full: boolean): string[] {
  if (full) return [];
  const [first, ...rest] = profiles;
  return [
    `${first}: 4×64 MiB and the mixed workload with blocks and gateway only (fixed-6, single-put, gateway-fixed-16: --full)`,
    ...rest.map(
      (p) => `${p}: 1×256 MiB with blocks and gateway only; 4×64 MiB and the mixed workload not measured (--full)`,
    ),
  ];
}

export const LARGE_PROFILES: readonly NetworkProfileName[] = ["office", "far"];
