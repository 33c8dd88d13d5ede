import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { summarizeCells } from "./cell-summary.js";
import { renderMarkdown } from "./report-markdown.js";
import type { BenchReport, BenchResults, CellMeasurement } from "./report-types.js";

/* A report on disk: `<name>.json` (the results and verdicts) beside `<name>.md` (the same, for reading). */

/** Writes both files, each through a temporary one so an interrupted run never leaves half a report; returns the markdown. */
export function writeReport(basePath: string, report: BenchReport): string {
  const markdown = renderMarkdown(report);
  const write = (target: string, content: string) => {
    writeFileSync(`${target}.tmp`, content);
    renameSync(`${target}.tmp`, target);
  };
  write(`${basePath}.json`, `${JSON.stringify(report, null, 2)}\n`);
  write(`${basePath}.md`, markdown);
  return markdown;
}

const measurementOf = (cell: CellMeasurement): CellMeasurement => ({
  profile: cell.profile,
  workloadId: cell.workloadId,
  strategy: cell.strategy,
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
  return { ...results, cells: summarizeCells(results.cells.map(measurementOf)) };
}
