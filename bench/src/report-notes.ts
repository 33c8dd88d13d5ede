import {
  GATEWAY_CONCURRENCY,
  GATEWAY_DEFAULT,
  PRODUCT_CONCURRENCY,
  PRODUCT_DEFAULT,
  isProductStrategy,
} from "./bench-plan.js";
import { cpuRatios, findCell, workloadById } from "./cell-summary.js";
import { INITIAL_WINDOW_SEGMENTS } from "./congestion-window.js";
import { NETWORK_PROFILES } from "./network-profiles.js";
import { formatPercent, formatSeconds } from "./report-format.js";
import type { BenchResults, CellSummary, TargetResult } from "./report-types.js";
import {
  EFFICIENCY_PROFILES,
  EFFICIENCY_WORKLOAD_ID,
  LONG_TASK_MS,
  TARGET_CPU_RATIO,
  TARGET_EFFICIENCY,
  THINK_TARGET_S,
  THINK_TARGET_SLACK_MS,
} from "./targets.js";
import { median } from "./statistics.js";

/*
 * The report's prose: for every missed target, where the time or CPU went, spelled out with the run's own numbers
 * and options (the product's concurrency, the files per study, whether slow start was modelled).
 */

/**
 * Storage calls the API makes for one study of `files` files (read from apps/sas-api/src/domain, 2026-11): the batch
 * writes its plan; the commit looks for an existing study, reads the plan, takes and releases the batch's lease and
 * looks again under it, reads each upload once (one ranged read gives size, MD5, ETag, headers and the head the
 * structure check needs) and copies it to the committed container, then writes the record and its index entry.
 * Re-typing a spoofed Content-Type adds one per file; a JPEG whose frame header lies past 64 KiB adds a read.
 */
export const BATCH_STORAGE_CALLS = 1;
export const commitStorageCalls = (files: number) => 7 + 2 * files;

/** What the notes read: the measured cells and how the link was modelled. */
export type NotedRun = Pick<BenchResults, "cells" | "slowStart">;

export function notesForMisses(allRuns: NotedRun, targets: readonly TargetResult[]): string[] {
  const missed = (prefix: string) => targets.some((t) => t.met === false && t.target.startsWith(prefix));
  // The notes explain the click-at-once targets; think-time cells have their own table.
  const run = { ...allRuns, cells: allRuns.cells.filter((c) => c.thinkS === 0) };
  return [
    ...efficiencyNotes(run),
    ...(missed("faster than relay") ? [relayNote(run)] : []),
    ...(missed(`≥ ${TARGET_CPU_RATIO}× less API CPU`) ? [apiCpuNote(run.cells)] : []),
    ...(missed(`no main-thread task over ${LONG_TASK_MS} ms`) ? longTaskNotes(run.cells) : []),
    ...gatewayNotes(run, targets),
    ...thinkTimeNotes(allRuns.cells),
  ];
}

/** The TCP effects a connection pays in this run's link model, besides the request's own round trip. */
function connectionCosts(slowStart: boolean): string {
  return slowStart ? "TCP handshake and slow start to the storage origin" : "TCP handshake to the storage origin";
}

function efficiencyNotes({ cells, slowStart }: NotedRun): string[] {
  const files = workloadById(EFFICIENCY_WORKLOAD_ID).files;
  return EFFICIENCY_PROFILES.flatMap((profile) => {
    const cell = findCell(cells, profile, EFFICIENCY_WORKLOAD_ID, PRODUCT_DEFAULT);
    if (!cell?.phases || cell.efficiency === undefined || cell.efficiency >= TARGET_EFFICIENCY) return [];
    const rttMs = NETWORK_PROFILES[cell.profile].rttMs;
    const transferMs = cell.idealMs - rttMs;
    const p = cell.phases;
    return [
      `Efficiency, ${EFFICIENCY_WORKLOAD_ID} on ${profile}: ${formatSeconds(cell.medianMs - cell.idealMs)} over ideal. ` +
        `The API calls cost ${(p.batchMs + p.commitMs).toFixed(0)} ms after the click (batch ${p.batchMs.toFixed(0)} ms, mostly requested before the click; ` +
        `commit ${p.commitMs.toFixed(0)} ms: one round trip of ${rttMs} ms plus the API's ${commitStorageCalls(files)} storage calls to verify and copy ${files} blobs), ` +
        `the PUT phase ${(p.uploadMs - transferMs).toFixed(0)} ms more than the bytes need (${connectionCosts(slowStart)}, a CORS preflight ` +
        `per blob URL, each PUT's own round trip, the last files finishing alone), hashing and rendering before the first PUT ${p.beforeFirstPutMs.toFixed(0)} ms. ` +
        `The link itself is used at ${formatPercent(transferMs / p.uploadMs)} during the PUTs.`,
    ];
  });
}

function relayNote({ cells, slowStart }: NotedRun): string {
  const concurrency = PRODUCT_CONCURRENCY[PRODUCT_DEFAULT];
  const lines = cells
    .filter((c) => c.strategy === PRODUCT_DEFAULT && c.phases)
    .flatMap((ours) => {
      const relay = findCell(cells, ours.profile, ours.workloadId, "relay");
      if (!relay || ours.medianMs < relay.medianMs) return [];
      const p = ours.phases!;
      return [
        `${ours.workloadId} on ${ours.profile} ${formatSeconds(ours.medianMs)} vs ${formatSeconds(relay.medianMs)} (ours: batch+commit ${(p.batchMs + p.commitMs).toFixed(0)} ms, PUTs ${p.uploadMs.toFixed(0)} ms)`,
      ];
    });
  const linkModel = slowStart
    ? `In this run every proxied connection starts with TCP slow start (no loss; a window of ${INITIAL_WINDOW_SEGMENTS} segments doubling each round trip, ` +
      `back to ${INITIAL_WINDOW_SEGMENTS} after an idle RTO): the relay's one stream ramps up once and keeps the link, while our connections idle ` +
      `between files (the response, the next preflight) and start again from the initial window, so slow start adds to the extra round trips ` +
      `and the commit's verification`
    : `On the lossless profiles one connection gets the whole uplink (slow start off), so ${concurrency} parallel PUTs cannot beat one stream ` +
      `on bandwidth, and only the extra round trips and the commit's verification show`;
  return (
    `Relay: the old design needs one request (a handshake and one round trip, then the bytes), and its hop to storage is in-region and unshaped; ` +
    `ours needs the batch call, then per file a CORS preflight and a PUT (${concurrency} at a time), then the commit, which verifies every blob in storage. ` +
    `${linkModel}: ${lines.join("; ")}.`
  );
}

function apiCpuNote(cells: readonly CellSummary[]): string {
  const ratios = cpuRatios(cells);
  const fileCounts = [...new Set(ratios.map((r) => workloadById(r.workloadId).files))];
  const oursPerStudy = fileCounts
    .map((files) => {
      const ours = ratios.filter((r) => workloadById(r.workloadId).files === files);
      return `${ours.map((r) => `${r.oursMs.toFixed(0)} ms`).join(" / ")} per ${files}-file study`;
    })
    .join(", ");
  return (
    `API CPU: ours stays at ${oursPerStudy} whatever the bytes, because it is per storage call: ` +
    `${BATCH_STORAGE_CALLS} at batch and ${fileCounts.map(commitStorageCalls).join(" / ")} at commit (look for an existing study, read the plan, a lease, one ranged read and one server-side copy per file, write the record and its index entry), ` +
    `each an HTTP request with a server-side SAS signed once and reused (the lease still goes through the SDK). The relay's CPU grows with bytes ` +
    `(${ratios.map((r) => `${r.workloadId}: ${r.relayMs.toFixed(0)} ms`).join(", ")}), so ×${TARGET_CPU_RATIO} is out of reach for small studies by any ` +
    `design that verifies each blob in storage before committing; the ratio grows with file size.`
  );
}

function longTaskNotes(cells: readonly CellSummary[]): string[] {
  const long = cells.flatMap((c) =>
    c.runs.flatMap((r, i) => {
      if (r.longestTaskMs <= LONG_TASK_MS || !isProductStrategy(c.strategy)) return [];
      const at = r.longestTaskAtMs ?? Number.NaN;
      const p = r.phases;
      const phase =
        !p || !Number.isFinite(at)
          ? ""
          : at < 0
            ? ", in the task that handled the click"
            : at < p.batchMs
              ? ", while the batch was requested"
              : at < p.batchMs + p.beforeFirstPutMs
                ? ", before the first PUT"
                : at < p.batchMs + p.beforeFirstPutMs + p.uploadMs
                  ? ", during the PUTs"
                  : ", around the commit";
      const when = Number.isFinite(at)
        ? ` starting ${at < 0 ? `${(-at).toFixed(0)} ms before` : `${at.toFixed(0)} ms after`} the click${phase}`
        : "";
      return [
        `${r.longestTaskMs.toFixed(0)} ms${when} (${c.workloadId} on ${c.profile}, ${c.strategy}, run ${i + 1} of ${c.runs.length})`,
      ];
    }),
  );
  return long.length > 0 ? [`Long tasks: ${long.join("; ")}.`] : [];
}

/** For each think-time cell over its limit: whether the uploads waited for the click or simply took longer than T. */
function thinkTimeNotes(cells: readonly CellSummary[]): string[] {
  return cells.flatMap((c) => {
    if (c.thinkS !== THINK_TARGET_S || c.medianClickToStudyMs === undefined) return [];
    const limit = NETWORK_PROFILES[c.profile].rttMs + THINK_TARGET_SLACK_MS;
    if (c.medianClickToStudyMs <= limit) return [];
    const spans = c.runs.flatMap((r) => (r.uploadsFromClickMs ? [r.uploadsFromClickMs] : []));
    if (spans.length === 0) return [];
    const firstStart = median(spans.map((s) => s.firstStart));
    const lastEnd = median(spans.map((s) => s.lastEnd));
    const why =
      firstStart >= 0
        ? `the first PUT left ${firstStart.toFixed(0)} ms after the click: the app uploads only once Create study is clicked`
        : `the first PUT left ${(-firstStart / 1000).toFixed(1)} s before the click, ` +
          (lastEnd > 0
            ? `but the last ended ${formatSeconds(lastEnd)} after it: the bytes need longer than ${THINK_TARGET_S} s`
            : `and the last ended before it: the time after the click is the commit and the study page`);
    return [
      `Think time, ${c.workloadId} on ${c.profile}, ${c.strategy}: click→study ${formatSeconds(c.medianClickToStudyMs)} after ${THINK_TARGET_S} s (limit ${limit} ms); ${why}.`,
    ];
  });
}

/** For each profile where the gateway missed a target: where its time went, next to the relay and the larger pool. */
/** "1 wave", "3 waves": how many rounds a pool of `size` needs for `files`. */
const waves = (files: number, size: number) => {
  const count = Math.ceil(files / size);
  return `${count} wave${count === 1 ? "" : "s"}`;
};

function gatewayNotes({ cells }: NotedRun, targets: readonly TargetResult[]): string[] {
  const missedOn = (prefix: string, profile: string) =>
    targets.some((t) => t.met === false && t.target.startsWith(prefix) && t.target.endsWith(profile));
  const concurrency = GATEWAY_CONCURRENCY[GATEWAY_DEFAULT];
  return cells.flatMap((cell) => {
    if (cell.strategy !== GATEWAY_DEFAULT || !cell.phases) return [];
    const suffix = `${cell.profile}${cell.workloadId === "16×256 KiB" ? " (T = 0, click→study)" : ""}`;
    const missed =
      (cell.workloadId === "16×256 KiB" && missedOn("gateway within one RTT", suffix)) ||
      (cell.workloadId === EFFICIENCY_WORKLOAD_ID && missedOn("gateway efficiency", cell.profile));
    if (!missed) return [];
    const p = cell.phases;
    const w = workloadById(cell.workloadId);
    const rttMs = NETWORK_PROFILES[cell.profile].rttMs;
    const transferMs = cell.idealMs - rttMs;
    const relay = findCell(cells, cell.profile, cell.workloadId, "relay");
    const narrower = findCell(cells, cell.profile, cell.workloadId, "gateway-6");
    return [
      `Gateway, ${cell.workloadId} on ${cell.profile}: ${formatSeconds(cell.medianMs)}` +
        (relay ? ` vs the relay's ${formatSeconds(relay.medianMs)}` : "") +
        `. One HTTP/2 connection and no preflights, but still the product's round trips: the PUTs took ${p.uploadMs.toFixed(0)} ms ` +
        `(${w.files} files, ${concurrency} at a time: ${waves(w.files, concurrency)}, ` +
        (cell.idealMs > 0
          ? `each at least one RTT of ${rttMs} ms; the bytes alone need ${transferMs.toFixed(0)} ms), `
          : `on an unshaped link, so what shows is the CPU of the browser, the front door's TLS and the servers), `) +
        `the commit ${p.commitMs.toFixed(0)} ms (one round trip plus the API's ${commitStorageCalls(w.files)} storage calls), the batch ${p.batchMs.toFixed(0)} ms after the click` +
        (narrower
          ? `; with a pool of 6 (${waves(w.files, GATEWAY_CONCURRENCY["gateway-6"])}) ${formatSeconds(narrower.medianMs)}`
          : "") +
        `. The relay sends everything in one request and copies to storage in-region.`,
    ];
  });
}
