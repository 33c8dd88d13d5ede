import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { summarizeCells } from "./cell-summary.js";
import { reportCharts } from "./report-charts.js";
import { renderMarkdown } from "./report-markdown.js";
import type { BenchReport, BenchResults, CellMeasurement } from "./report-types.js";

/* A report on disk: `<name>.json` (the results and verdicts) beside `<name>.md` (the same, for reading). */

/**
 * Writes the JSON, the markdown and the charts (`<name>-time-to-study.svg`, …), each through a temporary file so an
 * interrupted run never leaves half a report; returns the markdown.
 */
export function writeReport(basePath: string, report: BenchReport): string {
  const markdown = renderMarkdown(report);
  const write = (target: string, content: string) => {
    writeFileSync(`${target}.tmp`, content);
    renameSync(`${target}.tmp`, target);
  };
  write(`${basePath}.json`, `${JSON.stringify(report, null, 2)}\n`);
  write(`${basePath}.md`, markdown);
  for (const chart of reportCharts(report)) write(`${basePath}-${chart.suffix}.svg`, chart.svg);
  return markdown;
}

/** Reports from before think time was measured have no thinkS: their runs clicked at once. */
const measurementOf = (cell: CellMeasurement): CellMeasurement => ({
  profile: cell.profile,
  workloadId: cell.workloadId,
  strategy: cell.strategy,
  thinkS: (cell as Partial<CellMeasurement>).thinkS ?? 0,
  runs: cell.runs,
  serverCpuMsPerStudy: cell.serverCpuMsPerStudy,
  serverBytesInPerStudy: cell.serverBytesInPerStudy,
});

/** Enough of a saved report to rebuild it; anything else is not a bench report (or one from before `failures`). */
function isBenchReport(value: unknown): value is BenchReport {
  return (
    typeof value === "object" &&
    value !== null &&
    "cells" in value &&
    Array.isArray(value.cells) &&
    "failures" in value &&
    Array.isArray(value.failures) &&
    "slowStart" in value &&
    typeof value.slowStart === "boolean"
  );
}

/** The results of a saved report, with everything derived (cell summaries, verdicts, notes) left to be redone. */
export function readResults(jsonPath: string): BenchResults {
  const saved: unknown = JSON.parse(readFileSync(jsonPath, "utf8"));
  if (!isBenchReport(saved))
    throw new Error(`${jsonPath} is not a bench report (cells, failures and slowStart expected)`);
  const { targets, notes, ...results } = saved;
  return {
    ...results,
    cells: summarizeCells(results.cells.map(measurementOf)),
    skipped: results.skipped.map((s) => ({ ...s, thinkS: (s as Partial<typeof s>).thinkS ?? 0 })),
  };
}
