import { describe, expect, it } from "vitest";
import { summarizeCells } from "./cell-summary.js";
import { dedupeSection, lossSection } from "./report-loss.js";
import type { DedupeStudy } from "./report-types.js";
import { cell, homeResults, run } from "./testing/measurements.js";

describe("lossSection", () => {
  it("puts the strategies side by side per lossy cell and says what one connection can carry", () => {
    const times = (pick: number, click: number) => [run(click, { pickToStudyMs: pick, clickToStudyMs: click })];
    const cells = summarizeCells([
      { ...cell("far-lossy", "16×256 KiB", "relay", []), runs: times(40_000, 39_500) },
      { ...cell("far-lossy", "16×256 KiB", "pool-6", []), runs: times(8_000, 7_500) },
      { ...cell("far-lossy", "16×256 KiB", "pool-6", []), thinkS: 5, runs: times(8_100, 3_000) },
    ]);
    const markdown = lossSection({ ...homeResults(), cells, targets: [], notes: [] }).join("\n");
    expect(markdown).toContain("far-lossy (150 ms, 50.0 Mbit/s, 1.0 % loss; one connection ≤ 0.95 Mbit/s by Mathis)");
    expect(markdown).toContain("| workload | profile | T | ideal | pool-6 | relay |");
    expect(markdown).toContain("| 16×256 KiB | far-lossy | 0 s | 0.82 s | 8.00 s · 7.50 s | 40.00 s · 39.50 s |");
    expect(markdown).toContain("| 16×256 KiB | far-lossy | 5 s | 0.82 s | 8.10 s · 3.00 s | – |");
  });

  it("is empty when no lossy profile ran", () => {
    expect(lossSection({ ...homeResults(), targets: [], notes: [] })).toEqual([]);
  });
});

describe("dedupeSection", () => {
  const study = (uploads: number, clickToStudyMs: number): DedupeStudy => ({
    uploads,
    storageBodyBytes: uploads * 2 * 1024 * 1024,
    totalMs: clickToStudyMs - 50,
    pickToStudyMs: clickToStudyMs + 500,
    clickToStudyMs,
  });

  it("shows the first and the second study of the same files, medians over the runs", () => {
    const markdown = dedupeSection({
      profile: "far",
      workloadId: "16×2 MiB",
      runs: [
        { strategy: "pool-6", first: study(16, 6_000), second: study(0, 400) },
        { strategy: "pool-6", first: study(16, 6_200), second: study(0, 600) },
      ],
    }).join("\n");
    expect(markdown).toContain("16×2 MiB twice by one user, far");
    expect(markdown).toContain("| pool-6 | first | 2 | 16 | 32.0 MiB | 6.60 s | 6.10 s | 6.05 s |");
    expect(markdown).toContain("| pool-6 | second, same files | 2 | 0 | 0.0 MiB | 1.00 s | 0.50 s | 0.45 s |");
  });

  it("is empty in a report from before the case was measured", () => {
    expect(dedupeSection(undefined)).toEqual([]);
  });
});
