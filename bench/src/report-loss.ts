import { STRATEGIES } from "./bench-plan.js";
import { findCell } from "./cell-summary.js";
import { mathisBitsPerSecond } from "./congestion-window.js";
import { NETWORK_PROFILES, describeProfile } from "./network-profiles.js";
import { formatMiB, formatSeconds, table } from "./report-format.js";
import type { BenchReport, DedupeResult, DedupeStudy } from "./report-types.js";
import { median } from "./statistics.js";

/* The report's two sections of issue 22: the links with loss side by side, and the same files sent twice. */

/** Every cell measured on a lossy profile: pick → study · click → study, with what one connection can carry. */
export function lossSection(report: BenchReport): string[] {
  const cells = report.cells.filter((c) => NETWORK_PROFILES[c.profile].lossRate > 0);
  if (cells.length === 0) return [];
  const strategies = STRATEGIES.filter((s) => cells.some((c) => c.strategy === s));
  const rows = [...new Map(cells.map((c) => [`${c.profile}@${c.workloadId}@${c.thinkS}`, c])).values()];
  const profiles = [...new Set(cells.map((c) => c.profile))];
  return [
    "### Links with loss (pick → study page · click → study page, medians)",
    `Every connection has its own congestion window (Reno: slow start from 10 segments, +1 segment per RTT, halved and ` +
      `stalled one RTT by a lost round) on the profile's shared uplink: ${profiles
        .map(
          (p) =>
            `${p} (${describeProfile(NETWORK_PROFILES[p])}; one connection ≤ ${(mathisBitsPerSecond(NETWORK_PROFILES[p].rttMs, NETWORK_PROFILES[p].lossRate) / 1e6).toFixed(2)} Mbit/s by Mathis)`,
        )
        .join(", ")}. ` +
      `The relay sends over one connection, the gateway over one HTTP/2 connection (every stream waits for a lost ` +
      `segment), pool-6 and pool-12 over up to six HTTP/1.1 connections (Chromium's limit per origin: pool-12 queues ` +
      `its other six in the browser). The relay's click → study does not depend on T (it starts at the click).`,
    table(
      ["workload", "profile", "T", "ideal", ...strategies],
      rows
        .sort((a, b) => a.thinkS - b.thinkS || a.profile.localeCompare(b.profile))
        .map((row) => [
          row.workloadId,
          row.profile,
          `${row.thinkS} s`,
          formatSeconds(row.idealMs),
          ...strategies.map((s) => {
            const cell = findCell(cells, row.profile, row.workloadId, s, row.thinkS);
            if (cell?.medianPickToStudyMs === undefined || cell.medianClickToStudyMs === undefined) return "–";
            return `${formatSeconds(cell.medianPickToStudyMs)} · ${formatSeconds(cell.medianClickToStudyMs)}`;
          }),
        ]),
    ),
  ];
}

/** Medians of one study's numbers over the runs. */
function medianStudy(studies: readonly DedupeStudy[]): DedupeStudy {
  const of = (pick: (s: DedupeStudy) => number | undefined) => {
    const values = studies.flatMap((s) => {
      const value = pick(s);
      return value === undefined ? [] : [value];
    });
    return values.length > 0 ? median(values) : undefined;
  };
  return {
    uploads: of((s) => s.uploads)!,
    storageBodyBytes: of((s) => s.storageBodyBytes)!,
    totalMs: of((s) => s.totalMs)!,
    pickToStudyMs: of((s) => s.pickToStudyMs),
    clickToStudyMs: of((s) => s.clickToStudyMs),
  };
}

export function dedupeSection(dedupe: DedupeResult | undefined): string[] {
  if (!dedupe) return [];
  const strategies = [...new Set(dedupe.runs.map((r) => r.strategy))];
  const time = (ms: number | undefined) => (ms === undefined ? "–" : formatSeconds(ms));
  const row = (strategy: string, which: string, s: DedupeStudy, runs: number) => [
    strategy,
    which,
    String(runs),
    String(s.uploads),
    formatMiB(s.storageBodyBytes),
    time(s.pickToStudyMs),
    time(s.clickToStudyMs),
    time(s.totalMs),
  ];
  return [
    `### The same files again (${dedupe.workloadId} twice by one user, ${dedupe.profile}, T = 0, medians)`,
    "One browser profile signed in as one user creates a study, then a second study of the very same files. " +
      "Uploads: the page's upload requests from the pick (resource timing); bytes: request bodies the way to storage forwarded.",
    table(
      ["strategy", "study", "runs", "uploads", "bytes to storage", "pick → study", "click → study", "click → 201"],
      strategies.flatMap((strategy) => {
        const runs = dedupe.runs.filter((r) => r.strategy === strategy);
        return [
          row(strategy, "first", medianStudy(runs.map((r) => r.first)), runs.length),
          row(strategy, "second, same files", medianStudy(runs.map((r) => r.second)), runs.length),
        ];
      }),
    ),
  ];
}
