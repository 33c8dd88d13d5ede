import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { chromiumLaunchOptions } from "@study-uploader/shared/chromium-launch";
import { errorMessage } from "@study-uploader/shared";
import { ensureWorkloadFiles } from "./bench-files.js";
import type { BenchOptions } from "./bench-options.js";
import { WARM_UP_WORKLOAD } from "./bench-plan.js";
import { installExitHooks } from "./child-processes.js";
import {
  LARGE_DEFAULT,
  LARGE_MEMORY_WORKLOAD,
  LARGE_STRATEGIES,
  LARGE_WORKLOADS,
  RELOAD_WORKLOAD,
  SMALL_WORKLOAD,
  largePlanReductions,
  planLarge,
} from "./large-plan.js";
import { largeMarkdown, type LargeReport } from "./large-report.js";
import { runLargeMatrix, runLargeMemory, runReload, type LargeRunContext } from "./large-runs.js";
import { startLargeTopology, type LargeTopology } from "./large-topology.js";
import { NETWORK_PROFILES } from "./network-profiles.js";
import { createProgressLog } from "./progress-log.js";

/*
 * `pnpm bench --large`: the reload run and the 1 GiB memory run first (each answers a target alone), then the matrix. The report is rewritten after every stage and every timed run, so a run stopped early keeps what it
 * measured (the report says which stage it reached).
 */

export async function runLarge(options: BenchOptions, repoDir: string, resultsDir: string): Promise<void> {
  const startedAt = Date.now();
  const progress = createProgressLog(startedAt);
  const cells = planLarge(options.profiles, { full: options.mode === "full" });
  const command = `pnpm bench ${process.argv.slice(2).join(" ")}`.trim();
  const reloadProfile = options.profiles[0]!;
  progress.line(
    `Study Uploader large-file benchmark: ${cells.length} cells, ${cells.reduce((s, c) => s + c.strategies.length, 0) * options.runsPerCell} timed runs, profiles ${options.profiles.join(", ")}`,
  );
  if (!options.skipBuild) {
    progress.step("building apps/web and apps/sas-api");
    execFileSync("pnpm", ["--filter", "@study-uploader/web", "--filter", "@study-uploader/sas-api", "build"], {
      cwd: repoDir,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  progress.step("preparing the files (1 GiB, 256 MiB, 64 MiB, 2 MiB PNGs, kept between runs)");
  const files = ensureWorkloadFiles([
    ...LARGE_WORKLOADS,
    SMALL_WORKLOAD,
    WARM_UP_WORKLOAD,
    LARGE_MEMORY_WORKLOAD,
    RELOAD_WORKLOAD,
  ]);

  let browser: Browser | undefined;
  let topology: LargeTopology | undefined;
  installExitHooks(async () => {
    await browser?.close();
    await topology?.stop();
  });
  const report: LargeReport = {
    startedAt: new Date(startedAt).toISOString(),
    durationS: 0,
    machine: { cpus: os.cpus().length, node: process.version, chromium: "" },
    command,
    runsPerCell: options.runsPerCell,
    reductions: [],
    runs: [],
    memory: [],
    failures: [],
  };
  mkdirSync(resultsDir, { recursive: true });
  const basePath = path.join(resultsDir, "latest-large");
  const save = (stage: string) => {
    report.durationS = (Date.now() - startedAt) / 1000;
    report.reductions = [
      ...(stage === "done" ? [] : [`stopped during: ${stage} (the report is rewritten as the run goes)`]),
      ...(options.profiles.length < 2 ? [`profiles: ${options.profiles.join(", ")} only`] : []),
      ...largePlanReductions(options.profiles, options.mode === "full"),
    ];
    writeFileSync(`${basePath}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${basePath}.md`, largeMarkdown(report));
  };

  try {
    progress.step("starting Azurite (on disk), 5 APIs (3 cross-origin, 2 behind HTTP/2 front doors) and the proxies");
    topology = await startLargeTopology(LARGE_STRATEGIES, NETWORK_PROFILES[reloadProfile], progress.line);
    browser = await chromium.launch({ ...chromiumLaunchOptions(), handleSIGINT: false, handleSIGTERM: false });
    report.machine.chromium = browser.version();
    const ctx: LargeRunContext = { browser, topology, files, progress };

    progress.step(`reload: ${RELOAD_WORKLOAD.id} on ${reloadProfile}, ${LARGE_DEFAULT}, reloaded at 60 %`);
    try {
      report.reload = await runReload(ctx, LARGE_DEFAULT, RELOAD_WORKLOAD, reloadProfile);
      const r = report.reload.resend;
      progress.step(
        `reload: ${r.storedBefore.blocks} blocks stored before, ${r.inFlightAtReload.blocks} in flight, ${r.sentAfter.blocks} sent after, ${r.sentAgain.blocks} sent again`,
      );
    } catch (error) {
      report.failures.push(`reload: ${errorMessage(error).split("\n")[0]}`);
      progress.step(`reload FAILED: ${report.failures.at(-1)}`);
    }
    save("memory");

    progress.step(`memory: ${LARGE_MEMORY_WORKLOAD.id} on lan, ${LARGE_DEFAULT}, heap sampled every 100 ms`);
    try {
      const m = await runLargeMemory(ctx, LARGE_DEFAULT, LARGE_MEMORY_WORKLOAD);
      report.memory.push(m);
      if (m.error) report.failures.push(`memory: ${m.error}`);
      progress.step(
        `memory: heap ${(m.baselineHeapBytes / 2 ** 20).toFixed(1)} → ${(m.peakHeapBytes / 2 ** 20).toFixed(1)} MiB, longest task ${m.longestTaskMs.toFixed(0)} ms, ${m.longTaskCount} over 50 ms`,
      );
    } catch (error) {
      report.failures.push(`memory: ${errorMessage(error).split("\n")[0]}`);
      progress.step(`memory FAILED: ${report.failures.at(-1)}`);
    }
    save("matrix");

    const failures = await runLargeMatrix(ctx, cells, options.runsPerCell, (record) => {
      report.runs.push(record);
      save("matrix");
    });
    report.failures.push(...failures);
    save("done");
    progress.line(`\n${largeMarkdown(report)}`);
    progress.line(`Wrote ${path.relative(repoDir, basePath)}.json and .md in ${progress.elapsed()}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await topology?.stop().catch(() => undefined);
  }
}
