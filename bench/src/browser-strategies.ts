import type { Browser, BrowserContext, Locator, Page, Response } from "playwright-core";
import { SIGN_IN_SCRIPT, accessTokenFor, newBenchUser } from "./bench-users.js";
import type { RunPhases, RunSample } from "./report-types.js";
import { readProcessCpu } from "./process-cpu.js";
import type { ShapedServer } from "./bench-topology.js";

/*
 * One timed study, driven like a user: open the page in a fresh browser context (no cache, no warm connections),
 * pick the files, type the title for T seconds (at T = 0 the title is typed before the pick, as a run always did),
 * click Create study, wait until the study's page shows its title. Times come from the page's own clock (listeners,
 * a mutation observer and resource timing), not from Playwright's round trips. Whatever the app does between pick
 * and click (uploading early, or nothing) is measured, not assumed.
 */

const TITLE = "Benchmark study";

export type UploadUi = "product" | "relay";

/** Where each UI sends the request that creates the study. */
const COMMIT_PATH: Record<UploadUi, string> = { product: "/api/studies", relay: "/relay/studies" };

/** Installed before any page script: the click time and every long task (≥ 50 ms) of the main thread. */
const PAGE_PROBE = `
  window.__bench = { pickAt: Number.NaN, clickAt: Number.NaN, studyAt: Number.NaN, longTasks: [] };
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "file") window.__bench.pickAt = performance.now();
  }, true);
  // The product's study page shows the title as its heading; the relay's page says "Study … created".
  new MutationObserver(() => {
    const bench = window.__bench;
    if (Number.isNaN(bench.clickAt) || !Number.isNaN(bench.studyAt)) return;
    const heading = document.querySelector("h1");
    const result = document.getElementById("result");
    if (heading?.textContent === ${JSON.stringify(TITLE)} || result?.textContent?.startsWith("Study ")) bench.studyAt = performance.now();
  }).observe(document, { subtree: true, childList: true, characterData: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("button[type=submit]")) window.__bench.clickAt = performance.now();
  }, true);
`;

interface PageTimings {
  pickAt: number;
  clickAt: number;
  studyAt: number;
  uploadProtocol?: string;
  commitEnd: number;
  batch?: { start: number; end: number };
  commit: { start: number; end: number };
  puts: Array<{ start: number; end: number }>;
  longestTaskMs: number;
  longestTaskAtMs?: number;
  longTaskCount: number;
}

/** Hooks around the click, for the memory probe. */
export interface RunHooks {
  /** After the page is loaded and the title typed (T = 0), before the files are picked. */
  beforePick?(page: Page): Promise<void>;
  beforeClick?(page: Page): Promise<void>;
  afterCommit?(page: Page): Promise<void>;
}

export interface StudyRun {
  sample: RunSample;
  /** CPU the server process used between click and response, in ms (clock-tick resolution). */
  serverCpuMs: number;
  serverBytesIn: number;
  /** From the pick: the page's uploads (XHRs in resource timing) and the body bytes storage's proxy forwarded. */
  uploads: { requests: number; storageBodyBytes: number };
}

export interface StudyRunOptions {
  browser: Browser;
  ui: UploadUi;
  server: ShapedServer;
  filePaths: readonly string[];
  timeoutMs: number;
  /** Seconds between picking the files and clicking Create study. */
  thinkS: number;
  hooks?: RunHooks;
  /** Click only once the page shows this (say, every upload done); by default as soon as the button is enabled. */
  clickAfterText?: RegExp;
  /**
   * A browser profile to run in, signed in by its owner and left open (the dedupe case's second study); by default a
   * fresh context signed in as a new user, closed after the run.
   */
  context?: BrowserContext;
}

/** A fresh browser profile (no cache, no warm connections) signed in as a user of its own. */
export async function newSignedInContext(browser: Browser): Promise<BrowserContext> {
  // The gateway's certificate is self-signed, made at start.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await context.addInitScript(SIGN_IN_SCRIPT(accessTokenFor(newBenchUser())));
  return context;
}

const cpuMs = (pid: number) => {
  const cpu = readProcessCpu(pid);
  return (cpu.userMicros + cpu.systemMicros) / 1000;
};

/** "Create study", or the product's "Create study when uploads finish" while images are on their way. */
const createButton = (page: Page) => page.getByRole("button", { name: /^Create study/ });

async function waitUntilEnabled(page: Page, button: Locator, timeoutMs: number): Promise<void> {
  await button.waitFor({ state: "visible", timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  while (!(await button.isEnabled())) {
    if (Date.now() > deadline) throw new Error(`"${await button.textContent()}" stayed disabled`);
    await page.waitForTimeout(20);
  }
}

/**
 * Reads the run's times in the page: click, batch and commit requests, PUTs, long tasks. A string, not a function:
 * the TypeScript runner would add helpers to a function that do not exist in the page.
 */
const COLLECT_TIMINGS = `(commitPath) => {
  const bench = window.__bench;
  // From the pick: an app may start uploading before the click.
  const from = Math.min(bench.pickAt, bench.clickAt);
  const entries = performance.getEntriesByType("resource").filter((e) => e.startTime >= from - 1);
  const pathOf = (e) => new URL(e.name).pathname;
  const span = (e) => ({ start: e.startTime, end: e.responseEnd });
  const commit = entries.find((e) => pathOf(e) === commitPath && e.responseEnd > 0);
  if (!commit) throw new Error("no resource timing for " + commitPath);
  // The product may have asked for its batch before the click; only the part after the click is on the clock.
  const batch = performance.getEntriesByType("resource").filter((e) => pathOf(e) === "/api/batches" && e.responseEnd > 0).pop();
  const putEntries = entries.filter((e) => e.initiatorType === "xmlhttprequest");
  const puts = putEntries.map(span);
  const during = bench.longTasks.filter((t) => t.start + t.duration > from && t.start < commit.responseEnd);
  return {
    pickAt: bench.pickAt,
    clickAt: bench.clickAt,
    studyAt: bench.studyAt,
    uploadProtocol: (putEntries[0] ?? commit).nextHopProtocol || undefined,
    commitEnd: commit.responseEnd,
    batch: batch ? span(batch) : undefined,
    commit: span(commit),
    puts,
    longestTaskMs: Math.max(0, ...during.map((t) => t.duration)),
    longTaskCount: during.filter((t) => t.duration > 50).length,
    longestTaskAtMs: during.length === 0 ? undefined : during.reduce((a, b) => (b.duration > a.duration ? b : a)).start - bench.clickAt,
  };
}`;

const HAS_FINISHED = `(commitPath) => Number.isFinite(window.__bench.studyAt) && performance.getEntriesByType("resource").some((e) => new URL(e.name).pathname === commitPath && e.responseEnd > 0)`;

async function collectTimings(page: Page, commitPath: string): Promise<PageTimings> {
  return page.evaluate<PageTimings>(`(${COLLECT_TIMINGS})(${JSON.stringify(commitPath)})`);
}

function phasesOf(t: PageTimings): RunPhases | undefined {
  if (!t.batch || t.puts.length === 0) return undefined;
  const firstPut = Math.min(...t.puts.map((p) => p.start));
  const lastPut = Math.max(...t.puts.map((p) => p.end));
  return {
    batchMs: Math.max(0, t.batch.end - t.clickAt),
    beforeFirstPutMs: firstPut - Math.max(t.batch.end, t.clickAt),
    uploadMs: lastPut - firstPut,
    beforeCommitMs: t.commit.start - lastPut,
    commitMs: t.commit.end - t.commit.start,
  };
}

export async function runStudy(options: StudyRunOptions): Promise<StudyRun> {
  const { browser, ui, server, timeoutMs, thinkS } = options;
  const commitPath = COMMIT_PATH[ui];
  const context = options.context ?? (await newSignedInContext(browser));
  const page = await context.newPage();
  try {
    page.setDefaultTimeout(timeoutMs);
    await page.addInitScript(PAGE_PROBE);
    // The page's own start-up calls (config, recent studies) are not part of creating a study.
    await page.goto(`${server.origin}/`, { waitUntil: "networkidle" });
    // Counted from here: the product asks for its batch as soon as the form is valid, before the click.
    const cpuBefore = cpuMs(server.pid);
    const bytesBefore = server.proxyStats.requestBodyBytes;
    const storageBytesBefore = server.storageStats?.requestBodyBytes ?? 0;
    const title = page.getByRole("textbox", { name: "Title" });
    if (thinkS === 0) await title.fill(TITLE);
    await options.hooks?.beforePick?.(page);
    await page.getByLabel("Add images").setInputFiles([...options.filePaths]);
    if (thinkS > 0) {
      const clickAt = Date.now() + thinkS * 1000;
      // Typed key by key over the first seconds, so the page renders while any early upload runs.
      await title.pressSequentially(TITLE, { delay: Math.min(100, (thinkS * 1000) / TITLE.length) });
      await page.waitForTimeout(Math.max(0, clickAt - Date.now()));
    }
    if (options.clickAfterText) await page.getByText(options.clickAfterText).first().waitFor();
    await waitUntilEnabled(page, createButton(page), timeoutMs);
    await options.hooks?.beforeClick?.(page);

    let cpuAfter = Number.NaN;
    let bytesAfter = Number.NaN;
    // Read the server's counters the moment the response arrives, before the page can make further requests.
    const committed = page.waitForResponse(
      (response: Response) => {
        const matches = response.request().method() === "POST" && new URL(response.url()).pathname === commitPath;
        if (matches) {
          cpuAfter = cpuMs(server.pid);
          bytesAfter = server.proxyStats.requestBodyBytes;
        }
        return matches;
      },
      { timeout: timeoutMs },
    );
    await createButton(page).click();
    const response = await committed;
    if (response.status() !== 201)
      throw new Error(`${commitPath} answered ${response.status()}: ${(await response.text()).slice(0, 300)}`);
    await page.waitForFunction(`(${HAS_FINISHED})(${JSON.stringify(commitPath)})`);
    const timings = await collectTimings(page, commitPath);
    await options.hooks?.afterCommit?.(page);
    if (ui === "product") await page.waitForURL(/\/studies\/[A-Za-z0-9_-]+$/);

    const phases = phasesOf(timings);
    const totalMs = timings.commitEnd - timings.clickAt;
    return {
      sample: {
        totalMs,
        pickToStudyMs: timings.studyAt - timings.pickAt,
        pickToCommitMs: timings.commitEnd - timings.pickAt,
        clickToStudyMs: timings.studyAt - timings.clickAt,
        uploadProtocol: timings.uploadProtocol,
        uploadsFromClickMs:
          timings.puts.length === 0
            ? undefined
            : {
                firstStart: Math.min(...timings.puts.map((p) => p.start)) - timings.clickAt,
                lastEnd: Math.max(...timings.puts.map((p) => p.end)) - timings.clickAt,
              },
        apiMs: timings.batch
          ? timings.batch.end - timings.batch.start + (timings.commit.end - timings.commit.start)
          : undefined,
        phases,
        longestTaskMs: timings.longestTaskMs,
        longestTaskAtMs: timings.longestTaskAtMs,
        longTaskCount: timings.longTaskCount,
      },
      serverCpuMs: cpuAfter - cpuBefore,
      serverBytesIn: bytesAfter - bytesBefore,
      uploads: {
        requests: timings.puts.length,
        storageBodyBytes: (server.storageStats?.requestBodyBytes ?? 0) - storageBytesBefore,
      },
    };
  } finally {
    // A profile kept for another study keeps its storage and cache, not this tab.
    await (options.context ? page.close() : context.close());
  }
}
