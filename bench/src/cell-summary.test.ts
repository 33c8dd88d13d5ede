import { describe, expect, it } from "vitest";
import { MIB } from "./bench-plan.js";
import { cpuRatios, summarizeCells } from "./cell-summary.js";
import { cell, run } from "./testing/measurements.js";

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
