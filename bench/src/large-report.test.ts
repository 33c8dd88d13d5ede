import { describe, expect, it } from "vitest";
import { GIB } from "./large-plan.js";
import { largeMarkdown, summarizeLarge, type LargeReport, type LargeRunRecord } from "./large-report.js";

const run = (strategy: string, pickToCommitMs: number, extra: Partial<LargeRunRecord> = {}): LargeRunRecord => ({
  profile: "office",
  workloadId: "1×256 MiB",
  strategy,
  totalBytes: GIB / 4,
  idealMs: 1000,
  pickToCommitMs,
  clickToCommitMs: pickToCommitMs - 100,
  firstUploadAfterPickMs: 200,
  longestTaskMs: 0,
  longTaskCount: 0,
  apiCpuMs: 50,
  browserOps: { preflight: 32, "put-block": 32, "put-blob": 0 },
  preflightMedianMs: 25,
  peakUploads: 6,
  apiOps: { "put-block-from-url": 32, "put-block-list": 1 },
  ...extra,
});

describe("summarizeLarge", () => {
  it("takes efficiency from the median pick → 201 and scales the API's work to one GiB", () => {
    const [cell] = summarizeLarge([run("blocks", 1000), run("blocks", 2000), run("blocks", 1250)]);
    expect(cell!.runs).toBe(3);
    expect(cell!.efficiency).toBeCloseTo(0.8);
    expect(cell!.efficiencyRange).toEqual([0.5, 1]);
    expect(cell!.apiCpuMsPerGib).toBe(200);
    expect(cell!.apiOpsPerGib).toEqual({ "put-block-from-url": 128, "put-block-list": 4 });
    expect(cell!.perRun).toEqual({ preflight: 32, "put-block": 32, "put-blob": 0 });
  });
});

describe("largeMarkdown", () => {
  it("marks misses, and reports the reload against the blocks in flight", () => {
    const report: LargeReport = {
      startedAt: "2026-12-03T00:00:00.000Z",
      durationS: 60,
      machine: { cpus: 2, node: "v20", chromium: "140" },
      command: "pnpm bench --large",
      runsPerCell: 2,
      reductions: ["profiles: office only"],
      runs: [run("blocks", 1000), run("single-put", 2000, { browserOps: { preflight: 1, "put-blob": 1 } })],
      reload: {
        strategy: "blocks",
        profile: "office",
        workloadId: "1×256 MiB",
        fileBytes: GIB / 4,
        reloadedAtFraction: 0.62,
        committed: "yes",
        resend: {
          storedBefore: { blocks: 20, bytes: 20 * 8 * 2 ** 20 },
          inFlightAtReload: { blocks: 5, bytes: 40 * 2 ** 20 },
          sentAfter: { blocks: 12, bytes: 96 * 2 ** 20 },
          sentAgain: { blocks: 0, bytes: 0 },
        },
      },
      memory: [],
      failures: [],
    };
    const md = largeMarkdown(report);
    expect(md).toContain("| office | 1×256 MiB | blocks | 1 | 1.00 s | 1.00 s |");
    expect(md).toMatch(/single-put .*\| 0\.500 \(0\.500–0\.500\) \| \*\*no\*\* \|/);
    expect(md).toContain("| **sent again** (id stored before the reload) | 0 | 0.0 MiB |");
    expect(md).toContain("sent again ≤ in flight at the reload: met");
    expect(md).toContain("- profiles: office only");
  });
});
