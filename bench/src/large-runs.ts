import { performance } from "node:perf_hooks";
import type { Browser } from "playwright-core";
import { errorMessage, sleep } from "@study-uploader/shared";
import { WARM_UP_WORKLOAD, idealMs, totalBytes, type Workload } from "./bench-plan.js";
import { runStudy, type RunHooks, type StudyRun } from "./browser-strategies.js";
import { LARGE_STRATEGIES, RELOAD_AT_FRACTION, type LargeCell, type LargeStrategy } from "./large-plan.js";
import type { LargeMemoryResult, LargeRunRecord, ReloadResult } from "./large-report.js";
import type { LargeTopology } from "./large-topology.js";
import { NETWORK_PROFILES, type NetworkProfileName } from "./network-profiles.js";
import { createHeapProbe } from "./page-memory.js";
import type { ProgressLog } from "./progress-log.js";
import { countOps, isSuccess, peakConcurrency, preflightCost, summarizeResend } from "./request-log.js";

/* The large-file bench's timed parts: the matrix, the reload run and the 1 GiB memory run. */

export interface LargeRunContext {
  browser: Browser;
  topology: LargeTopology;
  files: Map<string, string[]>;
  progress: ProgressLog;
}

const isGateway = (strategy: LargeStrategy) => LARGE_STRATEGIES.find((s) => s.name === strategy)!.gateway;
const isUpload = (op: string) => op === "put-block" || op === "put-blob";
/**
 * The studies list shows each study's first image: committed originals of up to 1 GiB that every later page load
 * would download before its run starts (about a minute a run here). The studies go after each run.
 */
async function deleteStudies(apiUrl: string): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    const response = await fetch(`${apiUrl}/api/studies?limit=100`);
    const { studies } = (await response.json()) as { studies: Array<{ id: string }> };
    if (studies.length === 0) return;
    for (const study of studies) await fetch(`${apiUrl}/api/studies/${study.id}`, { method: "DELETE" });
  }
}

/** The status bar's "16 of 16 files done". */
export const UPLOADS_DONE = /\b([1-9]\d*) of \1 files? done/;
const firstLine = (error: unknown) => errorMessage(error).split("\n")[0];

/** A generous limit: ten times the ideal, plus three minutes for the commit's copies on a busy machine. */
const timeoutFor = (w: Workload, profile: NetworkProfileName) => 10 * idealMs(w, NETWORK_PROFILES[profile]) + 180_000;

async function timedStudy(
  ctx: LargeRunContext,
  strategy: LargeStrategy,
  w: Workload,
  profile: NetworkProfileName,
  hooks?: RunHooks,
  timeoutMs = timeoutFor(w, profile),
): Promise<{ run: StudyRun; record: LargeRunRecord }> {
  const browserLog = isGateway(strategy) ? ctx.topology.gatewayLog : ctx.topology.browserStorageLog;
  const browserMark = browserLog.records.length;
  const apiMark = ctx.topology.apiStorageLog.records.length;
  const run = await runStudy({
    browser: ctx.browser,
    ui: "product",
    server: ctx.topology.server(strategy),
    filePaths: ctx.files.get(w.id)!,
    timeoutMs,
    thinkS: 0,
    hooks,
  });
  const browserRecords = browserLog.records.slice(browserMark);
  const apiRecords = ctx.topology.apiStorageLog.records.slice(apiMark);
  // After the run's own calls are taken: the deletion is not part of the study's cost.
  await deleteStudies(ctx.topology.server(strategy).directUrl);
  const uploads = browserRecords.filter((r) => isUpload(r.op));
  const ops = countOps(browserRecords);
  return {
    run,
    record: {
      profile,
      workloadId: w.id,
      strategy,
      totalBytes: totalBytes(w),
      idealMs: idealMs(w, NETWORK_PROFILES[profile]),
      pickToCommitMs: run.sample.pickToCommitMs ?? Number.NaN,
      clickToCommitMs: run.sample.totalMs,
      firstUploadAfterPickMs:
        (run.sample.pickToCommitMs ?? Number.NaN) -
        run.sample.totalMs +
        (run.sample.uploadsFromClickMs?.firstStart ?? Number.NaN),
      longestTaskMs: run.sample.longestTaskMs,
      longTaskCount: run.sample.longTaskCount ?? 0,
      apiCpuMs: run.serverCpuMs,
      uploadProtocol: run.sample.uploadProtocol,
      browserOps: {
        preflight: ops.preflight ?? 0,
        "put-block": ops["put-block"] ?? 0,
        "put-blob": ops["put-blob"] ?? 0,
        "failed uploads": uploads.filter((r) => !isSuccess(r)).length,
      },
      preflightMedianMs: preflightCost(browserRecords).medianMs,
      peakUploads: peakConcurrency(uploads, () => true),
      apiOps: countOps(apiRecords),
    },
  };
}

export async function runLargeMatrix(
  ctx: LargeRunContext,
  cells: readonly LargeCell[],
  runs: number,
  onRecord: (record: LargeRunRecord) => void,
): Promise<string[]> {
  const failures: string[] = [];
  const total = cells.reduce((sum, c) => sum + c.strategies.length * runs, 0);
  let done = 0;
  let warmedProfile: string | undefined;
  for (const cell of cells) {
    ctx.topology.setProfile(NETWORK_PROFILES[cell.profile]);
    if (warmedProfile !== cell.profile) {
      warmedProfile = cell.profile;
      ctx.progress.step(`${cell.profile}: warming up every strategy`);
      for (const s of LARGE_STRATEGIES) await timedStudy(ctx, s.name, WARM_UP_WORKLOAD, cell.profile);
    }
    for (let run = 1; run <= runs; run += 1) {
      for (const strategy of cell.strategies) {
        done += 1;
        const label = `${cell.profile} ${cell.workload.id} ${strategy}`;
        try {
          const { record } = await timedStudy(ctx, strategy, cell.workload, cell.profile);
          onRecord(record);
          ctx.progress.step(
            `${String(done).padStart(3)}/${total} ${label.padEnd(44)} run ${run}: pick→201 ${(record.pickToCommitMs / 1000).toFixed(2)} s ` +
              `(ideal ${(record.idealMs / 1000).toFixed(2)} s, eff ${(record.idealMs / record.pickToCommitMs).toFixed(3)}), ` +
              `peak ${record.peakUploads} uploads, ${record.browserOps["put-block"]} blocks, ${record.browserOps.preflight} preflights`,
          );
        } catch (error) {
          failures.push(`${label} run ${run}: ${firstLine(error)}`);
          ctx.progress.step(`${String(done).padStart(3)}/${total} FAILED ${failures.at(-1)}`);
        }
      }
    }
  }
  return failures;
}

/**
 * One file, picked; once storage has taken RELOAD_AT_FRACTION of its bytes the page is reloaded, the file added
 * again and the study created. Counts the Put Blocks after the reload whose id storage had taken before it.
 */
export async function runReload(
  ctx: LargeRunContext,
  strategy: LargeStrategy,
  w: Workload,
  profile: NetworkProfileName,
): Promise<ReloadResult> {
  ctx.topology.setProfile(NETWORK_PROFILES[profile]);
  const log = isGateway(strategy) ? ctx.topology.gatewayLog : ctx.topology.browserStorageLog;
  const timeoutMs = timeoutFor(w, profile);
  const context = await ctx.browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    await page.goto(`${ctx.topology.server(strategy).origin}/`, { waitUntil: "networkidle" });
    await page.getByRole("textbox", { name: "Title" }).fill("Reloaded");
    const mark = log.records.length;
    const files = ctx.files.get(w.id)!;
    await page.getByLabel("Add images").setInputFiles([...files]);
    const size = totalBytes(w);
    const storedBytes = () =>
      log.records
        .slice(mark)
        .filter((r) => r.op === "put-block" && isSuccess(r))
        .reduce((sum, r) => sum + r.bodyBytes, 0);
    const deadline = Date.now() + timeoutMs;
    while (storedBytes() < RELOAD_AT_FRACTION * size) {
      if (Date.now() > deadline)
        throw new Error(
          `storage never held ${RELOAD_AT_FRACTION * 100} % of the file: ${JSON.stringify(countOps(log.records.slice(mark)))}`,
        );
      await sleep(20);
    }
    const reloadedAtFraction = storedBytes() / size;
    const reloadAt = performance.now();
    ctx.progress.step(`reload: storage holds ${(reloadedAtFraction * 100).toFixed(0)} %, reloading`);
    await page.reload();
    await page.getByText("add this file again").first().waitFor();
    ctx.progress.step("reload: the page asks for the file again; adding it");
    await page.getByLabel("Add images").setInputFiles([...files]);
    // As the e2e test does: the upload finishes (then the blocks sent again are counted), then the click.
    await page.getByText(UPLOADS_DONE).first().waitFor();
    const resend = summarizeResend(log.records.slice(mark), reloadAt);
    const create = page.getByRole("button", { name: /^Create study/ });
    while (!(await create.isEnabled())) await sleep(50);
    await create.click();
    const studyPage = page.getByRole("heading", { name: "Reloaded", level: 1 });
    const refused = page.getByText(/Not committed|failed:/).first();
    await studyPage.or(refused).waitFor({ timeout: 120_000 });
    const committed = (await studyPage.isVisible())
      ? "yes"
      : `no: ${(await refused.textContent())?.slice(0, 200) ?? "refused"}`;
    return { strategy, profile, workloadId: w.id, fileBytes: size, reloadedAtFraction, resend, committed };
  } finally {
    await context.close();
  }
}

/** The page's JS heap from before the pick to the 201, and its long tasks, for one large file on lan. */
export async function runLargeMemory(
  ctx: LargeRunContext,
  strategy: LargeStrategy,
  w: Workload,
): Promise<LargeMemoryResult> {
  ctx.topology.setProfile(NETWORK_PROFILES.lan);
  const probe = createHeapProbe(100, "pick");
  // Hashing 1 GiB on a busy core takes minutes here: a limit of its own. A run that fails keeps what was sampled.
  try {
    const { record } = await timedStudy(ctx, strategy, w, "lan", probe.hooks, 900_000);
    return {
      strategy,
      workloadId: w.id,
      ...probe.result(),
      pickToCommitMs: record.pickToCommitMs,
      longestTaskMs: record.longestTaskMs,
      longTaskCount: record.longTaskCount,
    };
  } catch (error) {
    return {
      strategy,
      workloadId: w.id,
      ...probe.result(),
      pickToCommitMs: Number.NaN,
      longestTaskMs: Number.NaN,
      longTaskCount: Number.NaN,
      error: firstLine(error),
    };
  }
}
