import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { measureApiLoad } from "./api-load.js";
import { ensureWorkloadFiles } from "./bench-files.js";
import {
  MEMORY_WORKLOAD,
  idealMs,
  isProductStrategy,
  planMatrix,
  workload,
  KIB,
  type BenchMode,
  type StrategyName,
  type Workload,
} from "./bench-plan.js";
import { startBenchTopology, type BenchTopology } from "./bench-topology.js";
import { runStudy } from "./browser-strategies.js";
import { installExitHooks } from "./child-processes.js";
import { NETWORK_PROFILES, networkProfile, type NetworkProfileName } from "./network-profiles.js";
import { createHeapProbe } from "./page-memory.js";
import { calibrateProxy, type ProxyCalibration } from "./proxy-calibration.js";
import { summarizeCells } from "./cell-summary.js";
import { formatSeconds } from "./report-format.js";
import { buildReport } from "./report.js";
import { writeReport } from "./report-files.js";
import type { CellMeasurement, MemoryResult, RunSample } from "./report-types.js";
import { startSinkServer } from "./sink-server.js";

/*
 * `pnpm bench`: the real web app in a real Chromium, through shaping proxies that share one modelled link, against
 * sequential upload, the pool at 3/6/12, the old relay design and the computed ideal. Prints progress as it goes
 * and writes bench/results/latest.{json,md}.
 */

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    full: { type: "boolean", default: false },
    runs: { type: "string" },
    profiles: { type: "string" },
    "skip-build": { type: "boolean", default: false },
    // TCP slow start on every proxied connection: closer to real links, where one stream rarely fills the pipe.
    "slow-start": { type: "boolean", default: false },
  },
});

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_DIR = path.resolve(BENCH_DIR, "..");
const RESULTS_DIR = path.join(BENCH_DIR, "results");
const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Warm-ups (one untimed run per strategy and profile) use the smallest workload: JIT and start-up, not transfer. */
const WARM_UP_WORKLOAD = workload(4, 256 * KIB);

if (values.quick && values.full) throw new Error("--quick and --full exclude each other");
const mode: BenchMode = values.quick ? "quick" : values.full ? "full" : "default";
const runsPerCell = Number(values.runs ?? 3);
if (!Number.isInteger(runsPerCell) || runsPerCell < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);
const profiles = (
  values.profiles?.split(",").map((p) => p.trim()) ??
  (mode === "quick" ? ["lan", "far"] : Object.keys(NETWORK_PROFILES))
).map((name) => networkProfile(name).name as NetworkProfileName);

const benchStartedAt = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - benchStartedAt) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
const log = (line: string) => process.stdout.write(`${line}\n`);

const plan = planMatrix({ mode, profiles });
const timedRuns = plan.cells.reduce((sum, c) => sum + c.strategies.length, 0) * runsPerCell;
const memoryRuns = mode === "quick" ? 1 : 2;
log(
  `Study Uploader benchmark (${mode}): ${plan.cells.length} cells, ${timedRuns} timed runs, profiles ${profiles.join(", ")}`,
);

/** The web app the APIs serve, and the APIs themselves (they run as built JavaScript). */
function buildApps(): void {
  if (values["skip-build"]) return;
  log(`[${elapsed()}] building apps/web and apps/sas-api`);
  execFileSync("pnpm", ["--filter", "@study-uploader/web", "--filter", "@study-uploader/sas-api", "build"], {
    cwd: REPO_DIR,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function calibrate(): Promise<ProxyCalibration[]> {
  const MIB = 1024 * 1024;
  const sink = await startSinkServer();
  const results: ProxyCalibration[] = [];
  try {
    for (const name of profiles) {
      const profile = NETWORK_PROFILES[name];
      // Sized to take about a second or two on each link, long enough for the rate to settle.
      const slow = profile.uploadBitsPerSecond <= 20e6;
      const options = {
        singleBytes: (mode === "quick" || slow ? 2 : 4) * MIB,
        parallel: 6,
        parallelBytes: (mode === "quick" || slow ? 0.5 : 1) * MIB,
        rttSamples: 5,
      };
      const result = await calibrateProxy(profile, sink.url, options);
      results.push(result);
      log(
        `[${elapsed()}] calibrated ${name}: RTT ${result.keepAliveRttMs.toFixed(1)} ms (asked ${result.askedRttMs}), ` +
          `1 PUT ${(result.singlePutBitsPerSecond / 1e6).toFixed(1)} Mbit/s, ${result.parallel} PUTs ${(result.parallelPutBitsPerSecond / 1e6).toFixed(1)} Mbit/s`,
      );
    }
  } finally {
    await sink.close();
  }
  return results;
}

let browser: Browser | undefined;
let topology: BenchTopology | undefined;
installExitHooks(async () => {
  await browser?.close();
  await topology?.stop();
});

async function main(): Promise<void> {
  buildApps();
  const workloadsUsed: Workload[] = [
    ...new Map(
      [...plan.cells.map((c) => c.workload), WARM_UP_WORKLOAD, MEMORY_WORKLOAD].map((w) => [w.id, w]),
    ).values(),
  ];
  log(`[${elapsed()}] preparing ${workloadsUsed.length} workloads of PNG files`);
  const files = ensureWorkloadFiles(workloadsUsed);
  const calibration = await calibrate();

  log(`[${elapsed()}] starting Azurite, 4 APIs, the relay and the proxies`);
  topology = await startBenchTopology(NETWORK_PROFILES[profiles[0]!], log, { slowStart: values["slow-start"] });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  const activeBrowser = browser;
  const activeTopology = topology;

  const study = (
    strategy: StrategyName,
    w: Workload,
    profile: NetworkProfileName,
    hooks?: Parameters<typeof runStudy>[0]["hooks"],
  ) =>
    runStudy({
      browser: activeBrowser,
      ui: isProductStrategy(strategy) ? "product" : "relay",
      server: activeTopology.server(strategy),
      filePaths: files.get(w.id)!,
      timeoutMs: 10 * idealMs(w, NETWORK_PROFILES[profile]) + 60_000,
      hooks,
    });

  const measurements = new Map<string, CellMeasurement>();
  const failures: string[] = [];
  let done = 0;
  for (const profile of profiles) {
    const cells = plan.cells.filter((c) => c.profile === profile);
    if (cells.length === 0) continue;
    activeTopology.setProfile(NETWORK_PROFILES[profile]);
    const strategies = [...new Set(cells.flatMap((c) => c.strategies))];
    log(`[${elapsed()}] ${profile}: warming up ${strategies.join(", ")}`);
    for (const strategy of strategies) await study(strategy, WARM_UP_WORKLOAD, profile);

    for (const cell of cells) {
      // Strategies take turns run by run, so drift (a busy core, a GC) spreads over all of them.
      for (let run = 1; run <= runsPerCell; run += 1) {
        for (const strategy of cell.strategies) {
          done += 1;
          const label = `${profile} ${cell.workload.id} ${strategy}`;
          const key = `${profile}|${cell.workload.id}|${strategy}`;
          const measurement = measurements.get(key) ?? {
            profile,
            workloadId: cell.workload.id,
            strategy,
            runs: [] as RunSample[],
            serverCpuMsPerStudy: 0,
            serverBytesInPerStudy: 0,
          };
          measurements.set(key, measurement);
          try {
            const result = await study(strategy, cell.workload, profile);
            // Running sums for now; divided by the run count below.
            measurement.runs.push(result.sample);
            measurement.serverCpuMsPerStudy += result.serverCpuMs;
            measurement.serverBytesInPerStudy += result.serverBytesIn;
            log(
              `[${elapsed()}] ${String(done).padStart(4)}/${timedRuns} ${label.padEnd(32)} run ${run}/${runsPerCell} ${formatSeconds(result.sample.totalMs).padStart(8)}` +
                `  (ideal ${formatSeconds(idealMs(cell.workload, NETWORK_PROFILES[profile]))})`,
            );
          } catch (error) {
            const message = `${label} run ${run}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
            failures.push(message);
            log(`[${elapsed()}] ${String(done).padStart(4)}/${timedRuns} FAILED ${message}`);
          }
        }
      }
    }
  }
  for (const m of measurements.values()) {
    m.serverCpuMsPerStudy /= Math.max(1, m.runs.length);
    m.serverBytesInPerStudy /= Math.max(1, m.runs.length);
  }

  log(
    `[${elapsed()}] memory: ${MEMORY_WORKLOAD.id} on lan, pool-6, ${memoryRuns} run(s) with JS heap sampled every 50 ms`,
  );
  activeTopology.setProfile(NETWORK_PROFILES.lan);
  const memory: MemoryResult = { workloadId: MEMORY_WORKLOAD.id, profile: "lan", strategy: "pool-6", runs: [] };
  if (!profiles.includes("lan")) await study("pool-6", WARM_UP_WORKLOAD, "lan");
  for (let run = 1; run <= memoryRuns; run += 1) {
    const probe = createHeapProbe(50);
    try {
      const result = await study("pool-6", MEMORY_WORKLOAD, "lan", probe.hooks);
      const heap = probe.result();
      memory.runs.push({ ...heap, totalMs: result.sample.totalMs, longestTaskMs: result.sample.longestTaskMs });
      log(
        `[${elapsed()}] memory run ${run}/${memoryRuns}: heap ${(heap.baselineHeapBytes / 2 ** 20).toFixed(1)} → peak ${(heap.peakHeapBytes / 2 ** 20).toFixed(1)} MiB ` +
          `(${heap.samples} samples), ${formatSeconds(result.sample.totalMs)}, longest task ${result.sample.longestTaskMs ? `${result.sample.longestTaskMs.toFixed(0)} ms` : "none over 50 ms"}`,
      );
    } catch (error) {
      failures.push(`memory run ${run}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      log(`[${elapsed()}] memory run ${run} FAILED: ${failures.at(-1)}`);
    }
  }

  const loadSeconds = mode === "quick" ? 2 : 3;
  log(
    `[${elapsed()}] API alone: POST /api/batches (16 files) under autocannon, ${loadSeconds} s against the API and ${loadSeconds} s against a bare Hono route`,
  );
  const apiLoad = await measureApiLoad(activeTopology.server("pool-6").directUrl, {
    files: 16,
    connections: 10,
    durationS: loadSeconds,
  });
  log(
    `[${elapsed()}] API ${apiLoad.api.requestsPerSecond.toFixed(0)} batches/s, bare Hono ${apiLoad.bareHono.requestsPerSecond.toFixed(0)}/s`,
  );

  const chromiumVersion = activeBrowser.version();
  await activeBrowser.close();
  browser = undefined;
  await activeTopology.stop();
  topology = undefined;

  const report = buildReport({
    mode,
    slowStart: values["slow-start"],
    startedAt: new Date(benchStartedAt).toISOString(),
    durationS: (Date.now() - benchStartedAt) / 1000,
    runsPerCell,
    machine: { cpus: os.cpus().length, node: process.version, chromium: chromiumVersion },
    calibration,
    cells: summarizeCells([...measurements.values()].filter((m) => m.runs.length > 0)),
    skipped: plan.skipped.map(({ workload: w, ...rest }) => ({ ...rest, workloadId: w.id })),
    memory: memory.runs.length > 0 ? memory : undefined,
    apiLoad,
    failures,
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A slow-start run is a side experiment: it keeps its own report beside the default one.
  const basePath = path.join(RESULTS_DIR, values["slow-start"] ? "latest-slow-start" : "latest");
  const markdown = writeReport(basePath, report);
  log(`\n${markdown}`);
  log(`Wrote ${path.relative(REPO_DIR, basePath)}.json and .md in ${elapsed()}`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await browser?.close().catch(() => undefined);
    await topology?.stop().catch(() => undefined);
    process.exit(1);
  },
);
