import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureWorkloadFiles } from "./bench-files.js";
import { KIB, totalBytes } from "./bench-plan.js";
import { LARGE_STRATEGIES, LARGE_WORKLOADS, mixedWorkload, planLarge } from "./large-plan.js";

describe("mixedWorkload", () => {
  it("names its parts, counts every file and sums their bytes", () => {
    const w = mixedWorkload([
      { files: 1, fileBytes: 256 * KIB },
      { files: 3, fileBytes: 64 * KIB },
    ]);
    expect(w.id).toBe("1×256 KiB + 3×64 KiB");
    expect(w.files).toBe(4);
    expect(totalBytes(w)).toBe(448 * KIB);
    expect(LARGE_WORKLOADS.map((l) => l.id)).toEqual(["1×256 MiB", "4×64 MiB", "1×256 MiB + 15×2 MiB"]);
  });

  it("has its files written in order, each of its part's size", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-mixed-test-"));
    try {
      const w = mixedWorkload([
        { files: 1, fileBytes: 96 * KIB },
        { files: 2, fileBytes: 64 * KIB },
      ]);
      const files = ensureWorkloadFiles([w], dir).get(w.id)!;
      expect(files.map((f) => statSync(f).size)).toEqual([96 * KIB, 64 * KIB, 64 * KIB]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("planLarge", () => {
  it("measures every strategy for the single file on the first profile, the product defaults elsewhere", () => {
    const cells = planLarge(["office", "far"]);
    const all = LARGE_STRATEGIES.map((s) => s.name);
    expect(cells.map((c) => [c.profile, c.workload.id, c.strategies.length])).toEqual([
      ["office", "1×256 MiB", all.length],
      ["office", "4×64 MiB", 2],
      ["office", "1×256 MiB + 15×2 MiB", 2],
      ["far", "1×256 MiB", 2],
      ["office", "16×2 MiB", 4],
    ]);
    const full = planLarge(["office", "far"], { full: true });
    expect(full).toHaveLength(7);
    expect(full.slice(0, 6).every((c) => c.strategies.length === all.length)).toBe(true);
  });
});
