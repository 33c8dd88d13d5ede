import { describe, expect, it } from "vitest";
import { summarizeCells } from "./cell-summary.js";
import { notesForMisses } from "./report-notes.js";
import { evaluateTargets } from "./targets.js";
import { cell, run } from "./testing/measurements.js";

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
