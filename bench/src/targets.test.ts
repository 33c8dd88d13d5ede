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

describe("gateway and think-time targets", () => {
  const withThink = (m: ReturnType<typeof cell>, thinkS: number, clickToStudyMs: number) => ({
    ...m,
    thinkS,
    runs: m.runs.map((r) => ({ ...r, pickToStudyMs: clickToStudyMs + thinkS * 1000, clickToStudyMs })),
  });

  it("judges click→study after 5 s against one RTT + 150 ms, per profile, for pool-6 and the gateway", () => {
    const cells = summarizeCells([
      withThink(cell("office", "16×256 KiB", "pool-6", [400]), 5, 160),
      withThink(cell("far", "16×256 KiB", "pool-6", [900]), 5, 400),
      withThink(cell("far", "16×256 KiB", "gateway", [900]), 5, 250),
    ]);
    const byTarget = new Map(evaluateTargets(cells).map((t) => [t.target, t]));
    expect(byTarget.get("after T = 5 s, click→study ≤ 1 RTT + 150 ms for 16×256 KiB (pool-6)")).toMatchObject({
      met: false,
      detail: "office 160 ms (≤ 170) ✓; far 400 ms (≤ 300) ✗",
    });
    expect(byTarget.get("after T = 5 s, click→study ≤ 1 RTT + 150 ms for 16×256 KiB (gateway)")?.met).toBe(true);
    expect(byTarget.get("after T = 5 s, click→study ≤ 1 RTT + 150 ms for 16×2 MiB (gateway)")?.met).toBeNull();
    // Think-time cells never stand in for the click-at-once targets.
    expect(byTarget.get("faster than relay on far")).toBeUndefined();
  });

  it("compares the gateway with the relay within one RTT, its efficiency, and the cross-origin upload with before", () => {
    const ideal = (32 * MIB * 8) / 50_000 + 150;
    const cells = summarizeCells([
      withThink(cell("far", "16×256 KiB", "gateway", [1000]), 0, 1040),
      withThink(cell("far", "16×256 KiB", "relay", [880]), 0, 880),
      cell("far", "16×2 MiB", "gateway", [ideal / 0.96]),
      cell("far", "16×2 MiB", "pool-6", [6144 * 1.1]),
      cell("far", "16×256 KiB", "pool-6", [1812]),
    ]);
    const byTarget = new Map(evaluateTargets(cells).map((t) => [t.target, t]));
    expect(
      byTarget.get("gateway within one RTT of the relay for 16×256 KiB on far (T = 0, click→study)"),
    ).toMatchObject({ met: false, detail: "1.04 s vs 0.88 s (160 ms behind, RTT 150 ms)" });
    expect(byTarget.get("gateway efficiency ≥ 0.95 for 16×2 MiB on far")?.met).toBe(true);
    expect(byTarget.get("gateway efficiency ≥ 0.95 for 16×2 MiB on home")?.met).toBeNull();
    const noSlower = byTarget.get("cross-origin upload (pool-6, T = 0) no slower than before the gateway (≤ +5%)");
    expect(noSlower?.met).toBe(false);
    expect(noSlower?.detail).toBe("16×256 KiB far 1.81 s vs 1.81 s ✓; 16×2 MiB far 6.76 s vs 6.14 s ✗");
  });
});
