import { describe, expect, it } from "vitest";
import { MIB } from "./bench-plan.js";
import { summarizeCells } from "./cell-summary.js";
import type { MemoryResult } from "./report-types.js";
import { evaluateTargets } from "./targets.js";
import { cell } from "./testing/measurements.js";

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
