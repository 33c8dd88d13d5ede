import path from "node:path";
import { buildReport } from "./report.js";
import { readResults, writeReport } from "./report-files.js";

/**
 * `pnpm report results/latest.json`: rebuilds a saved report from its results (verdicts, notes, markdown) without
 * running the bench again, and writes it back beside the JSON.
 */
const [jsonPath] = process.argv.slice(2);
if (!jsonPath?.endsWith(".json")) {
  process.stderr.write("usage: pnpm report <results.json>\n");
  process.exit(2);
}
const report = buildReport(readResults(jsonPath));
const basePath = jsonPath.slice(0, -".json".length);
const markdown = writeReport(basePath, report);
process.stdout.write(`${markdown}\nWrote ${path.relative(process.cwd(), basePath)}.json, .md and its charts (.svg)\n`);
