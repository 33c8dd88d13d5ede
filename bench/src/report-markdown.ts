import { PRODUCT_DEFAULT, STRATEGIES, type StrategyName } from "./bench-plan.js";
import { cpuRatios, findCell } from "./cell-summary.js";
import { formatBitsPerSecond } from "./network-profiles.js";
import { describeThroughput, type ProxyCalibration } from "./proxy-calibration.js";
import { formatMiB, formatPercent, formatSeconds, table } from "./report-format.js";
import { dedupeSection, lossSection } from "./report-loss.js";
import type { BenchReport, LoadSide } from "./report-types.js";
import { median } from "./statistics.js";
import { LONG_TASK_MS } from "./targets.js";

/* The report as markdown: the targets, then one table per question, then the notes and what was skipped. */

/** What each profile's shaping proxy delivered, next to what was asked. */
export function calibrationTable(calibrations: readonly ProxyCalibration[]): string {
  return table(
    [
      "profile",
      "RTT asked",
      "RTT delivered",
      "new connection",
      "uplink asked",
      "1 PUT delivered",
      "parallel PUTs delivered",
    ],
    calibrations.map((c) => [
      c.profile,
      `${c.askedRttMs} ms`,
      `${c.keepAliveRttMs.toFixed(1)} ms`,
      `${c.newConnectionMs.toFixed(1)} ms`,
      formatBitsPerSecond(c.askedBitsPerSecond),
      `${describeThroughput(c.singlePutBitsPerSecond, c.askedBitsPerSecond)} (${formatMiB(c.singleBytes)})`,
      `${describeThroughput(c.parallelPutBitsPerSecond, c.askedBitsPerSecond)} (${c.parallel}×${formatMiB(c.parallelBytes)})`,
    ]),
  );
}

const verdict = (met: boolean | null) => (met === null ? "–" : met ? "✓" : "✗");

/** One server's line in the API-alone table. */
const loadRow = (server: string, side: LoadSide) => [
  server,
  side.requestsPerSecond.toFixed(0),
  `${side.latencyP50Ms} ms`,
  `${side.latencyP99Ms} ms`,
  String(side.non2xx),
  String(side.errors),
];

/**
 * Every cell that has page times, by think time: what the researcher waits for after picking (pick → study) and
 * after clicking (click → study); the study is there when its page shows the title.
 */
export function thinkTimeTable(report: BenchReport): string {
  const timed = report.cells.filter((c) => c.medianClickToStudyMs !== undefined);
  const strategies = STRATEGIES.filter((s) => timed.some((c) => c.strategy === s));
  const rows = [...new Map(timed.map((c) => [`${c.workloadId}@${c.profile}@${c.thinkS}`, c])).values()].sort(
    (a, b) => a.thinkS - b.thinkS,
  );
  return table(
    ["workload", "profile", "T", "ideal", ...strategies],
    rows.map((row) => [
      row.workloadId,
      row.profile,
      `${row.thinkS} s`,
      row.idealMs > 0 ? formatSeconds(row.idealMs) : "–",
      ...strategies.map((s) => {
        const cell = findCell(report.cells, row.profile, row.workloadId, s, row.thinkS);
        if (cell?.medianPickToStudyMs === undefined || cell.medianClickToStudyMs === undefined) return "–";
        return `${formatSeconds(cell.medianPickToStudyMs)} · ${formatSeconds(cell.medianClickToStudyMs)}`;
      }),
    ]),
  );
}

export function renderMarkdown(report: BenchReport): string {
  const cells = report.cells.filter((c) => c.thinkS === 0);
  const strategies = STRATEGIES.filter((s) => cells.some((c) => c.strategy === s));
  const keys = [...new Map(cells.map((c) => [`${c.workloadId}@${c.profile}`, c])).values()];
  const skippedWhole = report.skipped.filter((s) => s.strategy === undefined);

  const headline = table(
    ["workload", "profile", "ideal", ...strategies, `${PRODUCT_DEFAULT} API share`],
    keys.map((key) => {
      const of = (s: StrategyName) => findCell(cells, key.profile, key.workloadId, s);
      return [
        key.workloadId,
        key.profile,
        key.idealMs > 0 ? formatSeconds(key.idealMs) : "–",
        ...strategies.map((s) => {
          const cell = of(s);
          if (!cell) return "skipped";
          const parts = [formatSeconds(cell.medianMs)];
          if (cell.speedup !== undefined && s !== "sequential") parts.push(`×${cell.speedup.toFixed(1)}`);
          if (cell.efficiency !== undefined) parts.push(formatPercent(cell.efficiency));
          return parts.join(" · ");
        }),
        of(PRODUCT_DEFAULT)?.apiShare === undefined ? "–" : formatPercent(of(PRODUCT_DEFAULT)!.apiShare!),
      ];
    }),
  );

  const serverWork = table(
    [
      "workload",
      `API CPU / study (${PRODUCT_DEFAULT})`,
      "relay CPU / study",
      "relay ÷ ours",
      "API bytes in / study",
      "relay bytes in / study",
    ],
    cpuRatios(cells).map((r) => {
      const bytes = (s: StrategyName) => {
        const matching = cells.filter((c) => c.workloadId === r.workloadId && c.strategy === s);
        return median(matching.map((c) => c.serverBytesInPerStudy));
      };
      return [
        r.workloadId,
        `${r.oursMs.toFixed(1)} ms`,
        `${r.relayMs.toFixed(1)} ms`,
        `×${r.ratio.toFixed(0)}`,
        `${(bytes(PRODUCT_DEFAULT) / 1024).toFixed(1)} KiB`,
        formatMiB(bytes("relay")),
      ];
    }),
  );

  const sections = [
    `## Upload benchmark (${report.mode}${report.slowStart ? ", TCP slow start modelled" : ""}, ${report.startedAt})`,
    `Median of ${report.runsPerCell} runs of click on *Create study* → the study's 201 response, in a fresh Chromium context each run. ` +
      `Each cell: median · speedup over sequential · efficiency (ideal ÷ median; none on lan, which is unshaped). ` +
      `Ran in ${report.durationS.toFixed(0)} s on ${report.machine.cpus} cores (Node ${report.machine.node}, Chromium ${report.machine.chromium}).` +
      (report.gateway
        ? ` Gateway strategies: the app behind one HTTPS origin over HTTP/2, stream window ${formatMiB(report.gateway.streamWindowBytes)}, ` +
          `connection window ${formatMiB(report.gateway.connectionWindowBytes)} (one stream carries at most window ÷ RTT).`
        : ""),
    table(
      ["target", "", "measured"],
      report.targets.map((t) => [t.target, verdict(t.met), t.detail]),
    ),
    "### Time to a committed study",
    headline,
    `### Time to study with think time (pick → study page · click → study page, medians)`,
    thinkTimeTable(report),
    ...lossSection(report),
    ...dedupeSection(report.dedupe),
    "### Server work per study (ours: the API; old design: the relay)",
    serverWork,
  ];
  if (report.memory) {
    const growth = report.memory.runs.map((r) => r.peakHeapBytes - r.baselineHeapBytes);
    sections.push(
      `### Page memory and main thread (${report.memory.workloadId}, ${report.memory.profile}, ${report.memory.strategy})`,
      table(
        ["run", "idle heap", "peak heap", "growth", "time", "longest task"],
        report.memory.runs.map((r, i) => [
          String(i + 1),
          formatMiB(r.baselineHeapBytes),
          formatMiB(r.peakHeapBytes),
          formatMiB(growth[i]!),
          formatSeconds(r.totalMs),
          r.longestTaskMs > 0 ? `${r.longestTaskMs.toFixed(0)} ms` : `none over ${LONG_TASK_MS} ms`,
        ]),
      ),
    );
  }
  if (report.apiLoad) {
    const { api, bareHono } = report.apiLoad;
    sections.push(
      `### API alone: \`POST /api/batches\` with ${report.apiLoad.files} files (autocannon, ${report.apiLoad.connections} connections, ${report.apiLoad.durationS} s each)`,
      table(
        ["server", "batches/s", "p50", "p99", "non-2xx", "errors"],
        [loadRow("Study Uploader API", api), loadRow("bare Hono route", bareHono)],
      ),
      `The API serves ${formatPercent(api.requestsPerSecond / bareHono.requestsPerSecond)} of the bare route's rate (×${(bareHono.requestsPerSecond / api.requestsPerSecond).toFixed(1)} slower).`,
    );
  }
  sections.push("### Shaping proxy calibration (asked vs delivered)", calibrationTable(report.calibration));
  const phased = cells.filter((c) => c.phases && (c.strategy === PRODUCT_DEFAULT || c.strategy === "gateway"));
  if (phased.length > 0) {
    sections.push(
      `### Where the time goes (${PRODUCT_DEFAULT} and gateway, T = 0, medians)`,
      table(
        ["workload", "profile", "strategy", "batch", "before 1st PUT", "PUTs", "before commit", "commit", "total"],
        phased.map((c) => [
          c.workloadId,
          c.profile,
          c.strategy,
          ...[
            c.phases!.batchMs,
            c.phases!.beforeFirstPutMs,
            c.phases!.uploadMs,
            c.phases!.beforeCommitMs,
            c.phases!.commitMs,
          ].map((ms) => `${ms.toFixed(0)} ms`),
          formatSeconds(c.medianMs),
        ]),
      ),
    );
  }
  const notes = [...report.notes, ...report.failures.map((f) => `failed run: ${f}`)];
  if (notes.length > 0) sections.push("### Notes", notes.map((n) => `- ${n}`).join("\n"));
  if (skippedWhole.length > 0 || report.skipped.length > 0) {
    const partial = report.skipped.filter((s) => s.strategy !== undefined);
    const lines = [
      ...skippedWhole.map((s) => `- ${s.workloadId} on ${s.profile}, T = ${s.thinkS} s: ${s.reason}`),
      ...partial.map((s) => `- ${s.workloadId} on ${s.profile}, T = ${s.thinkS} s, ${s.strategy}: ${s.reason}`),
    ];
    sections.push("### Skipped", lines.join("\n"));
  }
  return `${sections.join("\n\n")}\n`;
}
