import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildReport } from "./report.js";
import { readResults, writeReport } from "./report-files.js";
import { homeResults } from "./testing/measurements.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempBase(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-report-"));
  dirs.push(dir);
  return path.join(dir, "latest");
}

describe("report files", () => {
  it("rebuilds a saved report from its results alone, to the same JSON and markdown", () => {
    const base = tempBase();
    const markdown = writeReport(base, buildReport(homeResults()));
    const json = readFileSync(`${base}.json`, "utf8");

    writeReport(base, buildReport(readResults(`${base}.json`)));
    expect(readFileSync(`${base}.json`, "utf8")).toBe(json);
    expect(readFileSync(`${base}.md`, "utf8")).toBe(markdown);
  });

  it("redoes the verdicts and notes instead of trusting the saved ones", () => {
    const base = tempBase();
    const saved = { ...buildReport({ ...homeResults(), slowStart: true }), targets: [], notes: ["stale"] };
    writeFileSync(`${base}.json`, JSON.stringify(saved));
    const rebuilt = buildReport(readResults(`${base}.json`));
    expect(rebuilt.slowStart).toBe(true);
    expect(rebuilt.notes).not.toContain("stale");
    expect(rebuilt.targets).toEqual(buildReport(homeResults()).targets);
  });

  it("refuses a file that is not a bench report", () => {
    const base = tempBase();
    writeFileSync(`${base}.json`, JSON.stringify({ cells: [] }));
    expect(() => readResults(`${base}.json`)).toThrow("is not a bench report");
  });
});
