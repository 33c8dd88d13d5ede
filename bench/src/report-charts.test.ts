import { describe, expect, it } from "vitest";
import { summarizeCells } from "./cell-summary.js";
import { reportCharts } from "./report-charts.js";
import { buildReport } from "./report.js";
import { cell, homeResults, run } from "./testing/measurements.js";

describe("reportCharts", () => {
  it("draws time to study at T = 0 with the ideal, and click → study after 5 s with the target", () => {
    const timed = (strategy: "pool-6" | "gateway" | "relay", thinkS: number, clickToStudyMs: number) => ({
      ...cell("home", "16×2 MiB", strategy, []),
      thinkS,
      runs: [run(clickToStudyMs - 50, { clickToStudyMs, pickToStudyMs: clickToStudyMs + thinkS * 1000 + 100 })],
    });
    const report = buildReport({
      ...homeResults(),
      cells: summarizeCells([
        timed("pool-6", 0, 14_000),
        timed("gateway", 0, 13_800),
        timed("relay", 0, 13_600),
        timed("pool-6", 5, 9_000),
        timed("gateway", 5, 8_800),
      ]),
    });
    const charts = new Map(reportCharts(report).map((c) => [c.suffix, c.svg]));
    const atOnce = charts.get("time-to-study")!;
    expect(atOnce).toContain("16×2 MiB · home (60 ms RTT, 20.0 Mbit/s up)");
    expect(atOnce).toContain("ideal 13.48 s");
    expect(atOnce).toContain("14.10 s");
    const afterThinking = charts.get("click-to-study")!;
    expect(afterThinking).toContain("target 0.21 s");
    expect(afterThinking).toContain("8.80 s");
    expect(afterThinking).not.toContain(">relay<");
  });

  it("draws nothing for a report from before page times were measured", () => {
    expect(reportCharts(buildReport(homeResults()))).toEqual([]);
  });
});
