import { describe, expect, it } from "vitest";
import {
  cpuRatios,
  evaluateTargets,
  median,
  notesForMisses,
  renderMarkdown,
  summarizeCells,
  type BenchReport,
  type CellMeasurement,
  type MemoryResult,
  type RunSample,
} from "./report.js";
import type { StrategyName } from "./bench-plan.js";

const MIB = 1024 * 1024;
const run = (totalMs: number, extra: Partial<RunSample> = {}): RunSample => ({ totalMs, longestTaskMs: 0, ...extra });

function cell(
  profile: CellMeasurement["profile"],
  workloadId: string,
  strategy: StrategyName,
  totals: number[],
  extra: Partial<CellMeasurement> = {},
): CellMeasurement {
  return {
    profile,
    workloadId,
    strategy,
    runs: totals.map((t) => run(t)),
    serverCpuMsPerStudy: 10,
    serverBytesInPerStudy: 2048,
    ...extra,
  };
}

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("summarizeCells", () => {
  // 16×2 MiB on office: 32 MiB at 100 Mbit/s = 2684.4 ms, plus one 20 ms RTT.
  const idealOffice = (32 * MIB * 8) / 100_000 + 20;

  it("computes the ideal, the speedup over sequential and the efficiency from medians", () => {
    const [sequential, pool] = summarizeCells([
      cell("office", "16×2 MiB", "sequential", [6000, 5000, 9000]),
      cell("office", "16×2 MiB", "pool-6", [3000, 2900, 3100]),
    ]);
    expect(sequential!.idealMs).toBeCloseTo(idealOffice, 6);
    expect(sequential!.speedup).toBe(1);
    expect(pool!.medianMs).toBe(3000);
    expect(pool!.speedup).toBeCloseTo(6000 / 3000);
    expect(pool!.efficiency).toBeCloseTo(idealOffice / 3000);
  });

  it("has no efficiency on the unshaped lan and no speedup without a sequential run", () => {
    const [lan] = summarizeCells([cell("lan", "16×2 MiB", "pool-6", [800])]);
    expect(lan!.idealMs).toBe(0);
    expect(lan!.efficiency).toBeUndefined();
    expect(lan!.speedup).toBeUndefined();
  });

  it("takes the API share per run, then the median, and the longest task over all runs", () => {
    const [summary] = summarizeCells([
      {
        ...cell("far", "16×256 KiB", "pool-6", []),
        runs: [
          run(1000, { apiMs: 100, longestTaskMs: 0 }),
          run(2000, { apiMs: 1000, longestTaskMs: 70 }),
          run(1000, { apiMs: 300 }),
        ],
      },
    ]);
    expect(summary!.apiShare).toBeCloseTo(0.3);
    expect(summary!.longestTaskMs).toBe(70);
  });
});

describe("cpuRatios", () => {
  it("pools every profile per workload, weighted by runs", () => {
    const cells = summarizeCells([
      cell("lan", "16×2 MiB", "pool-6", [1, 1, 1], { serverCpuMsPerStudy: 4 }),
      cell("far", "16×2 MiB", "pool-6", [1], { serverCpuMsPerStudy: 8 }),
      cell("lan", "16×2 MiB", "relay", [1, 1], { serverCpuMsPerStudy: 250 }),
    ]);
    expect(cpuRatios(cells)).toEqual([{ workloadId: "16×2 MiB", oursMs: 5, relayMs: 250, ratio: 50 }]);
  });
});

describe("evaluateTargets", () => {
  const memory: MemoryResult = {
    workloadId: "16×16 MiB",
    profile: "lan",
    strategy: "pool-6",
    runs: [{ baselineHeapBytes: 4 * MIB, peakHeapBytes: 40 * MIB, totalMs: 5000, samples: 90, longestTaskMs: 0 }],
  };

  it("marks each target met, missed or not measured", () => {
    const ideal = (32 * MIB * 8) / 100_000 + 20;
    const cells = summarizeCells([
      cell("office", "16×2 MiB", "pool-6", [ideal / 0.95]),
      cell("office", "16×2 MiB", "relay", [ideal * 2], { serverCpuMsPerStudy: 1000 }),
      cell("far", "16×256 KiB", "sequential", [6000]),
      cell("far", "16×256 KiB", "pool-6", [3000]),
      cell("far", "16×256 KiB", "relay", [1000]),
    ]);
    const byTarget = new Map(evaluateTargets(cells, memory).map((t) => [t.target, t]));
    expect(byTarget.get("efficiency ≥ 0.9 for 16×2 MiB on office")?.met).toBe(true);
    expect(byTarget.get("efficiency ≥ 0.9 for 16×2 MiB on home")?.met).toBeNull();
    expect(byTarget.get("≥ 2.5× faster than sequential for 16×256 KiB on far")?.met).toBe(false);
    expect(byTarget.get("faster than relay on office")?.met).toBe(true);
    expect(byTarget.get("faster than relay on far")).toMatchObject({
      met: false,
      detail: expect.stringContaining("16×256 KiB"),
    });
    // 1000 ms vs 10 ms is ×100 for 16×2 MiB; 16×256 KiB has no relay CPU of its own here (same 10 ms): ×1.
    expect(byTarget.get("≥ 50× less API CPU per study than the relay")?.met).toBe(false);
    expect(byTarget.get("peak JS heap growth ≤ 32 MiB for 16×16 MiB")).toMatchObject({
      met: false,
      detail: "36.0 MiB (worst of 1 runs)",
    });
    expect(byTarget.get("no main-thread task over 50 ms while uploading")).toMatchObject({
      met: true,
      detail: "none over 50 ms",
    });
  });
});

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

describe("notesForMisses", () => {
  it("places a long task in the phase of the upload it fell in", () => {
    const phases = { batchMs: 180, beforeFirstPutMs: 20, uploadMs: 1600, beforeCommitMs: 5, commitMs: 200 };
    const cells = summarizeCells([
      {
        ...cell("far", "16×256 KiB", "pool-6", []),
        runs: [run(2000, { longestTaskMs: 74, longestTaskAtMs: 500, phases })],
      },
    ]);
    expect(notesForMisses(cells, evaluateTargets(cells)).join("\n")).toContain(
      "74 ms starting 500 ms after the click, during the PUTs (16×256 KiB on far, pool-6, run 1 of 1)",
    );
  });
});
