import { describe, expect, it } from "vitest";
import { summarizeCells } from "./cell-summary.js";
import { renderMarkdown } from "./report-markdown.js";
import type { BenchReport } from "./report-types.js";
import { evaluateTargets } from "./targets.js";
import { cell } from "./testing/measurements.js";

describe("renderMarkdown", () => {
  it("renders the targets, a row per workload and profile, and the skipped cells", () => {
    const cells = summarizeCells([
      cell("home", "16×2 MiB", "sequential", [16000]),
      cell("home", "16×2 MiB", "pool-6", [14000]),
    ]);
    const report: BenchReport = {
      mode: "default",
      startedAt: "2026-01-01T00:00:00.000Z",
      durationS: 500,
      runsPerCell: 3,
      machine: { cpus: 2, node: "v20", chromium: "156" },
      calibration: [],
      cells,
      skipped: [{ profile: "home", workloadId: "16×8 MiB", reason: "skipped (ideal 53.7 s; run with --full)" }],
      targets: evaluateTargets(cells),
      notes: ["a note"],
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| 16×2 MiB | home | 13.48 s | 16.00 s · 84% | 14.00 s · ×1.1 · 96% |");
    expect(markdown).toContain("| efficiency ≥ 0.9 for 16×2 MiB on home | ✓ | 0.96");
    expect(markdown).toContain("- 16×8 MiB on home: skipped (ideal 53.7 s; run with --full)");
    expect(markdown).toContain("- a note");
  });
});
