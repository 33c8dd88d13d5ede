import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./report-markdown.js";
import { evaluateTargets } from "./targets.js";
import { summarizeCells } from "./cell-summary.js";
import { cell, homeResults, run } from "./testing/measurements.js";

describe("renderMarkdown", () => {
  it("renders the targets, a row per workload and profile, the notes, the failed runs and the skipped cells", () => {
    const results = homeResults();
    const markdown = renderMarkdown({ ...results, targets: evaluateTargets(results.cells), notes: ["a note"] });
    expect(markdown).toContain("## Upload benchmark (default, 2026-01-01T00:00:00.000Z)");
    expect(markdown).toContain("| 16×2 MiB | home | 13.48 s | 15.50 s · 87% | 14.00 s · ×1.1 · 96% |");
    expect(markdown).toContain("| efficiency ≥ 0.9 for 16×2 MiB on home | ✓ | 0.96");
    expect(markdown).toContain("- a note\n- failed run: home 16×2 MiB sequential run 3: timed out\n");
    expect(markdown).toContain("- 16×8 MiB on home, T = 0 s: skipped (ideal 53.7 s; run with --full)");
  });

  it("names slow start in the title when the run modelled it", () => {
    const results = { ...homeResults(), slowStart: true };
    expect(renderMarkdown({ ...results, targets: [], notes: [] })).toContain(
      "## Upload benchmark (default, TCP slow start modelled, 2026-01-01T00:00:00.000Z)",
    );
  });

  it("states the gateway's HTTP/2 windows, and lists think-time cells with pick → study and click → study", () => {
    const results = homeResults();
    const thinking = summarizeCells([
      {
        ...cell("home", "16×2 MiB", "gateway", []),
        thinkS: 5,
        runs: [run(200, { pickToStudyMs: 5300, clickToStudyMs: 250 })],
      },
    ]);
    const markdown = renderMarkdown({
      ...results,
      cells: [...results.cells, ...thinking],
      gateway: { streamWindowBytes: 1024 * 1024, connectionWindowBytes: 16 * 1024 * 1024 },
      targets: [],
      notes: [],
    });
    expect(markdown).toContain(
      "stream window 1.0 MiB, connection window 16.0 MiB (one stream carries at most window ÷ RTT)",
    );
    expect(markdown).toContain("| 16×2 MiB | home | 5 s | 13.48 s | 5.30 s · 0.25 s |");
  });
});
