import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { chromiumLaunchOptions } from "@study-uploader/shared/chromium-launch";
import { measureApiLoad } from "./api-load.js";
import { ensureWorkloadFiles } from "./bench-files.js";
import { BENCH_USAGE, parseBenchOptions } from "./bench-options.js";
import {
  MEMORY_WORKLOAD,
  MIB,
  PRODUCT_DEFAULT,
  WARM_UP_WORKLOAD,
  isProductStrategy,
  planMatrix,
  timedRunCount,
} from "./bench-plan.js";
import { startBenchTopology, type BenchTopology } from "./bench-topology.js";
import { newSignedInContext, runStudy } from "./browser-strategies.js";
import { runDedupe } from "./dedupe-run.js";
import { summarizeCells } from "./cell-summary.js";
import { installExitHooks } from "./child-processes.js";
import { mathisBitsPerSecond } from "./congestion-window.js";
import { DEDUPE_WORKLOAD, planDedupe } from "./dedupe-plan.js";
import { runTimeoutMs } from "./loss-plan.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";
import { createProgressLog } from "./progress-log.js";
import { calibrateProxy, type ProxyCalibration } from "./proxy-calibration.js";
import { buildReport } from "./report.js";
import { writeReport } from "./report-files.js";
import { startSinkServer } from "./sink-server.js";
import { runMatrix, runMemory, type StudyRunner, type TimedRunContext } from "./timed-runs.js";

/*
 * `pnpm bench`: the real web app in a real Chromium, through shaping proxies that share one modelled link, against
 * sequential upload, the pool at 3/6/12, the old relay design and the computed ideal. Prints progress as it goes
 * and writes bench/results/latest.{json,md}. This file runs the stages in order; each stage lives in its own module.
 */

const options = parseBenchOptions(process.argv.slice(2));
if (options.help) {
  process.stdout.write(BENCH_USAGE);
  process.exit(0);
}
const { mode, profiles, runsPerCell, slowStart } = options;

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_DIR = path.resolve(BENCH_DIR, "..");
const RESULTS_DIR = path.join(BENCH_DIR, "results");

if (options.large) {
  // Its own plan, servers and report (src/large-main.ts).
  const { runLarge } = await import("./large-main.js");
  await runLarge(options, REPO_DIR, RESULTS_DIR).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

const benchStartedAt = Date.now();
const progress = createProgressLog(benchStartedAt);
const plan = planMatrix({ mode, profiles });
progress.line(
  `Study Uploader benchmark (${mode}): ${plan.cells.length} cells, ${timedRunCount(plan, runsPerCell)} timed runs, profiles ${profiles.join(", ")}`,
);

/** The web app the APIs serve, and the APIs themselves (they run as built JavaScript). */
function buildApps(): void {
  if (options.skipBuild) return;
  progress.step("building apps/web and apps/sas-api");
  execFileSync("pnpm", ["--filter", "@study-uploader/web", "--filter", "@study-uploader/sas-api", "build"], {
    cwd: REPO_DIR,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function calibrate(): Promise<ProxyCalibration[]> {
  const sink = await startSinkServer();
  const results: ProxyCalibration[] = [];
  try {
    for (const name of profiles) {
      const profile = NETWORK_PROFILES[name];
      // Sized to take about a second or two on each link, long enough for the rate to settle; on a lossy link
      // one connection is capped near Mathis's rate, so a few seconds of that.
      const slow = profile.uploadBitsPerSecond <= 20e6;
      const perConnection = mathisBitsPerSecond(profile.rttMs, profile.lossRate);
      const lossyBytes = (seconds: number) => Math.round((perConnection / 8) * seconds);
      const result = await calibrateProxy(profile, sink.url, {
        singleBytes: profile.lossRate > 0 ? lossyBytes(4) : (mode === "quick" || slow ? 2 : 4) * MIB,
        parallel: 6,
        parallelBytes: profile.lossRate > 0 ? lossyBytes(2) : (mode === "quick" || slow ? 0.5 : 1) * MIB,
        rttSamples: 5,
      });
      results.push(result);
      progress.step(
        `calibrated ${name}: RTT ${result.keepAliveRttMs.toFixed(1)} ms (asked ${result.askedRttMs}), ` +
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
  const workloadsUsed = [
    ...new Map(
      [...plan.cells.map((c) => c.workload), WARM_UP_WORKLOAD, MEMORY_WORKLOAD, DEDUPE_WORKLOAD].map((w) => [w.id, w]),
    ).values(),
  ];
  progress.step(`preparing ${workloadsUsed.length} workloads of PNG files`);
  const files = ensureWorkloadFiles(workloadsUsed);
  const calibration = await calibrate();

  progress.step("starting Azurite, 7 APIs (4 cross-origin, 3 behind HTTP/2 front doors), the relay and the proxies");
  topology = await startBenchTopology(NETWORK_PROFILES[profiles[0]!], progress.line, { slowStart });
  browser = await chromium.launch({
    ...chromiumLaunchOptions(),
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  const activeBrowser = browser;
  const activeTopology = topology;

  const study = (
    ...[strategy, w, profile, thinkS, hooks, context]: [...Parameters<StudyRunner>, BrowserContext?]
  ): ReturnType<StudyRunner> =>
    runStudy({
      browser: activeBrowser,
      ui: isProductStrategy(strategy) ? "product" : "relay",
      server: activeTopology.server(strategy),
      filePaths: files.get(w.id)!,
      timeoutMs: runTimeoutMs(w, profile, thinkS),
      thinkS,
      hooks,
      context,
    });
  const context: TimedRunContext = {
    study,
    setProfile: (name: NetworkProfileName) => activeTopology.setProfile(NETWORK_PROFILES[name]),
    progress,
  };
  const matrix = await runMatrix(plan, options, context);
  const heap = await runMemory({ runs: mode === "quick" ? 1 : 2, lanWarmedUp: profiles.includes("lan") }, context);
  const dedupePlan = planDedupe(mode, profiles);
  const repeat = await runDedupe(dedupePlan, {
    openProfile: () => newSignedInContext(activeBrowser),
    studyIn: (strategy, profileContext) =>
      study(strategy, dedupePlan.workload, dedupePlan.profile, 0, undefined, profileContext),
    setProfile: context.setProfile,
    progress,
  });

  const loadSeconds = mode === "quick" ? 2 : 3;
  progress.step(
    `API alone: POST /api/batches (16 files) under autocannon, ${loadSeconds} s against the API and ${loadSeconds} s against a bare Hono route`,
  );
  const apiLoad = await measureApiLoad(activeTopology.server(PRODUCT_DEFAULT).directUrl, {
    files: 16,
    connections: 10,
    durationS: loadSeconds,
  });
  progress.step(
    `API ${apiLoad.api.requestsPerSecond.toFixed(0)} batches/s, bare Hono ${apiLoad.bareHono.requestsPerSecond.toFixed(0)}/s`,
  );

  const chromiumVersion = activeBrowser.version();
  const { gatewayWindows } = activeTopology;
  await activeBrowser.close();
  browser = undefined;
  await activeTopology.stop();
  topology = undefined;

  const report = buildReport({
    mode,
    slowStart,
    startedAt: new Date(benchStartedAt).toISOString(),
    durationS: (Date.now() - benchStartedAt) / 1000,
    runsPerCell,
    machine: { cpus: os.cpus().length, node: process.version, chromium: chromiumVersion },
    gateway: gatewayWindows,
    calibration,
    cells: summarizeCells(matrix.measurements),
    skipped: plan.skipped.map(({ workload: w, ...rest }) => ({ ...rest, workloadId: w.id })),
    memory: heap.memory,
    dedupe: repeat.dedupe,
    apiLoad,
    failures: [...matrix.failures, ...heap.failures, ...repeat.failures],
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A slow-start run is a side experiment and a quick run a smoke test: each keeps its own report beside the default one.
  const basePath = path.join(
    RESULTS_DIR,
    slowStart ? "latest-slow-start" : mode === "quick" ? "latest-quick" : "latest",
  );
  progress.line(`\n${writeReport(basePath, report)}`);
  progress.line(`Wrote ${path.relative(REPO_DIR, basePath)}.json, .md and .svg charts in ${progress.elapsed()}`);
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
