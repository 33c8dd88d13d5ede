import { describe, expect, it } from "vitest";
import { summarizeCells } from "./cell-summary.js";
import { notesForMisses } from "./report-notes.js";
import { evaluateTargets } from "./targets.js";
import { cell, run } from "./testing/measurements.js";

const phases = { batchMs: 40, beforeFirstPutMs: 30, uploadMs: 7300, beforeCommitMs: 5, commitMs: 230 };

/** 16×2 MiB on far, ours slower than the relay and under the efficiency target: the efficiency and relay notes. */
const slowerThanRelay = summarizeCells([
  { ...cell("far", "16×2 MiB", "pool-6", []), runs: [run(7630, { phases })] },
  cell("far", "16×2 MiB", "relay", [6290]),
]);

const notesFor = (slowStart: boolean) => {
  return notesForMisses({ cells: slowerThanRelay, slowStart }, evaluateTargets(slowerThanRelay));
};

describe("notesForMisses", () => {
  it("places a long task in the phase of the upload it fell in", () => {
    const cells = summarizeCells([
      {
        ...cell("far", "16×256 KiB", "pool-6", []),
        runs: [run(2000, { longestTaskMs: 74, longestTaskAtMs: 500, phases: { ...phases, uploadMs: 1600 } })],
      },
    ]);
    expect(notesForMisses({ cells, slowStart: false }, evaluateTargets(cells)).join("\n")).toContain(
      "74 ms starting 500 ms after the click, during the PUTs (16×256 KiB on far, pool-6, run 1 of 1)",
    );
  });

  it("says slow start was off when the run modelled none", () => {
    const [efficiency, relay] = notesFor(false);
    expect(efficiency).toContain("(TCP handshake to the storage origin, a CORS preflight");
    expect(relay).toContain("one connection gets the whole uplink (slow start off), so 6 parallel PUTs");
    expect(relay).not.toContain("starts with TCP slow start");
  });

  it("says slow start was on, and what it costs, when the run modelled it", () => {
    const [efficiency, relay] = notesFor(true);
    expect(efficiency).toContain("(TCP handshake and slow start to the storage origin, a CORS preflight");
    expect(relay).toContain("every proxied connection starts with TCP slow start (no loss; a window of 10 segments");
    expect(relay).not.toContain("slow start off");
    expect(relay).toContain("16×2 MiB on far 7.63 s vs 6.29 s (ours: batch+commit 270 ms, PUTs 7300 ms)");
  });

  it("counts the commit's storage calls from the files of each workload", () => {
    const cells = summarizeCells([
      cell("lan", "4×2 MiB", "pool-6", [100], { serverCpuMsPerStudy: 30 }),
      cell("lan", "4×2 MiB", "relay", [100], { serverCpuMsPerStudy: 120 }),
      cell("lan", "16×2 MiB", "pool-6", [100], { serverCpuMsPerStudy: 55 }),
      cell("lan", "16×2 MiB", "relay", [100], { serverCpuMsPerStudy: 370 }),
    ]);
    const [apiCpu] = notesForMisses({ cells, slowStart: false }, evaluateTargets(cells)).filter((n) =>
      n.startsWith("API CPU"),
    );
    expect(apiCpu).toContain("ours stays at 30 ms per 4-file study, 55 ms per 16-file study whatever the bytes");
    expect(apiCpu).toContain("1 at batch and 15 / 39 at commit");
  });
});

describe("think-time notes", () => {
  const thinking = (firstStart: number, lastEnd: number) =>
    summarizeCells([
      {
        ...cell("home", "16×2 MiB", "gateway", []),
        thinkS: 5,
        runs: [run(9000, { clickToStudyMs: 9100, pickToStudyMs: 14_200, uploadsFromClickMs: { firstStart, lastEnd } })],
      },
    ]);
  const notes = (cells: ReturnType<typeof thinking>) =>
    notesForMisses({ cells, slowStart: false }, evaluateTargets(cells)).join("\n");

  it("says when the uploads waited for the click", () => {
    expect(notes(thinking(40, 8800))).toContain(
      "Think time, 16×2 MiB on home, gateway: click→study 9.10 s after 5 s (limit 210 ms); the first PUT left 40 ms after the click: the app uploads only once Create study is clicked.",
    );
  });

  it("says when the uploads started at the pick but needed longer than the think time", () => {
    expect(notes(thinking(-4900, 8500))).toContain(
      "the first PUT left 4.9 s before the click, but the last ended 8.50 s after it: the bytes need longer than 5 s",
    );
  });
});

describe("gateway notes", () => {
  it("explains a gateway that is more than one RTT behind the relay, with the narrower pool beside it", () => {
    const gatewayPhases = { batchMs: 20, beforeFirstPutMs: 20, uploadMs: 1200, beforeCommitMs: 5, commitMs: 500 };
    const cells = summarizeCells([
      {
        ...cell("far", "16×256 KiB", "gateway", []),
        runs: [run(1750, { clickToStudyMs: 1800, phases: gatewayPhases })],
      },
      { ...cell("far", "16×256 KiB", "gateway-6", []), runs: [run(1400, { clickToStudyMs: 1450 })] },
      { ...cell("far", "16×256 KiB", "relay", []), runs: [run(880, { clickToStudyMs: 890 })] },
    ]);
    expect(notesForMisses({ cells, slowStart: false }, evaluateTargets(cells)).join("\n")).toContain(
      "Gateway, 16×256 KiB on far: 1.75 s vs the relay's 0.88 s. One HTTP/2 connection and no preflights, but still the product's round trips: " +
        "the PUTs took 1200 ms (16 files, 16 at a time: 1 wave, each at least one RTT of 150 ms; the bytes alone need 671 ms), " +
        "the commit 500 ms (one round trip plus the API's 39 storage calls), the batch 20 ms after the click; with a pool of 6 (3 waves) 1.40 s. The relay sends everything in one request and copies to storage in-region.",
    );
  });
});
