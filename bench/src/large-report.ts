import { GIB } from "./large-plan.js";
import type { ResendSummary } from "./request-log.js";
import { median } from "./statistics.js";

/* The large-file bench's results: what each timed run saw, and the markdown made of them. Pure. */

export interface LargeRunRecord {
  profile: string;
  workloadId: string;
  strategy: string;
  totalBytes: number;
  idealMs: number;
  /** Files picked → the commit's 201: the upload starts at the pick, so efficiency is ideal ÷ this. */
  pickToCommitMs: number;
  /** Click on Create study → 201 (the default bench's metric). */
  clickToCommitMs: number;
  /** Files picked → the first Put Block or Put Blob started (hashing, batch, first preflight). */
  firstUploadAfterPickMs: number;
  longestTaskMs: number;
  longTaskCount: number;
  apiCpuMs: number;
  uploadProtocol?: string;
  /** Preflights, Put Blocks, Put Blobs… the browser sent to storage during the run. */
  browserOps: Record<string, number>;
  preflightMedianMs: number;
  /** Most uploads (Put Block or Put Blob) open at once at the storage proxy or front door. */
  peakUploads: number;
  /** Storage calls the API made (batch, commit and what storage read back through it). */
  apiOps: Record<string, number>;
}

export interface ReloadResult {
  strategy: string;
  profile: string;
  workloadId: string;
  fileBytes: number;
  /** Bytes storage had taken when the reload was made, as a fraction of the file. */
  reloadedAtFraction: number;
  resend: ResendSummary;
  /** Whether the study was created after the resumed upload ("yes", or "no: what the page said"). */
  committed: string;
}

export interface LargeMemoryResult {
  strategy: string;
  workloadId: string;
  baselineHeapBytes: number;
  peakHeapBytes: number;
  samples: number;
  pickToCommitMs: number;
  longestTaskMs: number;
  longTaskCount: number;
  /** Why the run did not finish; the heap figures are then what was sampled until it stopped. */
  error?: string;
}

export interface LargeReport {
  startedAt: string;
  durationS: number;
  machine: { cpus: number; node: string; chromium: string };
  command: string;
  runsPerCell: number;
  reductions: string[];
  runs: LargeRunRecord[];
  reload?: ReloadResult;
  memory: LargeMemoryResult[];
  failures: string[];
}

const MIB = 1024 * 1024;
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "–");
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

export interface LargeCellSummary {
  profile: string;
  workloadId: string;
  strategy: string;
  runs: number;
  idealMs: number;
  medianPickToCommitMs: number;
  medianClickToCommitMs: number;
  medianFirstUploadMs: number;
  efficiency: number;
  efficiencyRange: [number, number];
  medianPeakUploads: number;
  perRun: Record<string, number>;
  preflightMedianMs: number;
  apiCpuMsPerGib: number;
  apiOpsPerGib: Record<string, number>;
  protocol?: string;
}

const meanOps = (maps: ReadonlyArray<Record<string, number>>, scale: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v / maps.length / scale;
  return out;
};

export function summarizeLarge(runs: readonly LargeRunRecord[]): LargeCellSummary[] {
  const cells = new Map<string, LargeRunRecord[]>();
  for (const r of runs) {
    const key = `${r.profile}|${r.workloadId}|${r.strategy}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()].map((rs) => {
    const first = rs[0]!;
    const efficiencies = rs.map((r) => r.idealMs / r.pickToCommitMs);
    const gib = first.totalBytes / GIB;
    return {
      profile: first.profile,
      workloadId: first.workloadId,
      strategy: first.strategy,
      runs: rs.length,
      idealMs: first.idealMs,
      medianPickToCommitMs: median(rs.map((r) => r.pickToCommitMs)),
      medianClickToCommitMs: median(rs.map((r) => r.clickToCommitMs)),
      medianFirstUploadMs: median(rs.map((r) => r.firstUploadAfterPickMs)),
      efficiency: first.idealMs / median(rs.map((r) => r.pickToCommitMs)),
      efficiencyRange: [Math.min(...efficiencies), Math.max(...efficiencies)],
      medianPeakUploads: median(rs.map((r) => r.peakUploads)),
      perRun: meanOps(
        rs.map((r) => r.browserOps),
        1,
      ),
      preflightMedianMs: median(rs.map((r) => r.preflightMedianMs).filter(Number.isFinite)),
      apiCpuMsPerGib: median(rs.map((r) => r.apiCpuMs)) / gib,
      apiOpsPerGib: meanOps(
        rs.map((r) => r.apiOps),
        gib,
      ),
      protocol: first.uploadProtocol,
    };
  });
}

const opsText = (ops: Record<string, number>, keys: readonly string[]) =>
  keys.map((k) => `${(ops[k] ?? 0).toFixed((ops[k] ?? 0) % 1 === 0 ? 0 : 1)}`).join(" / ");

const API_OPS = ["head", "get-block-list", "put-block-from-url", "put-block-list", "copy-blob", "get"] as const;

export function largeMarkdown(report: LargeReport, target = 0.95): string {
  const cells = summarizeLarge(report.runs);
  const lines: string[] = [
    `# Large files (issue 21): blocks, adaptive pool, reload, memory`,
    "",
    `Run ${report.startedAt}, ${Math.round(report.durationS / 60)} min, ${report.machine.cpus} cores, Node ${report.machine.node}, Chromium ${report.machine.chromium}. Command: \`${report.command}\`.`,
    `Timed runs per cell: ${report.runsPerCell} (strategies take turns run by run). Efficiency = ideal ÷ pick → 201 (target ≥ ${target}); ideal = bytes ÷ uplink + one RTT.`,
    ...(report.reductions.length > 0 ? ["", "Reduced:", ...report.reductions.map((r) => `- ${r}`)] : []),
    "",
    "## Efficiency, preflights and pool size",
    "",
    "| profile | workload | strategy | runs | ideal | pick → 201 (median) | click → 201 | pick → first upload | efficiency (min–max) | ≥ target | peak uploads at once | preflights / Put Block / Put Blob per run | preflight (median) | protocol |",
    "| --- | --- | --- | --: | --: | --: | --: | --: | --: | :-: | --: | --: | --: | --- |",
  ];
  for (const c of cells)
    lines.push(
      `| ${c.profile} | ${c.workloadId} | ${c.strategy} | ${c.runs} | ${s(c.idealMs)} | ${s(c.medianPickToCommitMs)} | ${s(c.medianClickToCommitMs)} | ${s(c.medianFirstUploadMs)} | ` +
        `${c.efficiency.toFixed(3)} (${c.efficiencyRange[0].toFixed(3)}–${c.efficiencyRange[1].toFixed(3)}) | ${c.efficiency >= target ? "yes" : "**no**"} | ` +
        `${c.medianPeakUploads} | ${opsText(c.perRun, ["preflight", "put-block", "put-blob"])} | ${Number.isFinite(c.preflightMedianMs) ? `${c.preflightMedianMs.toFixed(0)} ms` : "–"} | ${c.protocol ?? "–"} |`,
    );
  lines.push(
    "",
    "## The API per GiB committed",
    "",
    `Storage calls the API made (through a counting proxy), averaged over runs and divided by the GiB committed: ${API_OPS.join(" / ")}; CPU is the API process's from before the pick to the commit's 201 (batch, commit, verification, copies).`,
    "",
    `| profile | workload | strategy | API CPU ms / GiB | ${API_OPS.join(" / ")} per GiB | other calls per GiB |`,
    "| --- | --- | --- | --: | --: | --- |",
  );
  for (const c of cells) {
    const other = Object.entries(c.apiOpsPerGib)
      .filter(([k]) => !(API_OPS as readonly string[]).includes(k))
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(", ");
    lines.push(
      `| ${c.profile} | ${c.workloadId} | ${c.strategy} | ${c.apiCpuMsPerGib.toFixed(0)} | ${opsText(c.apiOpsPerGib, API_OPS)} | ${other || "–"} |`,
    );
  }
  if (report.reload) {
    const { resend: r } = report.reload;
    lines.push(
      "",
      "## Reload at 60 %, then the file added again",
      "",
      `${report.reload.workloadId}, ${report.reload.strategy}, ${report.reload.profile}; reloaded when storage held ${(report.reload.reloadedAtFraction * 100).toFixed(0)} % of the file.`,
      "",
      "| | blocks | bytes |",
      "| --- | --: | --: |",
      `| stored before the reload | ${r.storedBefore.blocks} | ${mib(r.storedBefore.bytes)} |`,
      `| in flight at the reload | ${r.inFlightAtReload.blocks} | ${mib(r.inFlightAtReload.bytes)} |`,
      `| Put Blocks after the reload | ${r.sentAfter.blocks} | ${mib(r.sentAfter.bytes)} |`,
      `| **sent again** (id stored before the reload) | ${r.sentAgain.blocks} | ${mib(r.sentAgain.bytes)} |`,
      "",
      `Target: sent again ≤ in flight at the reload: ${r.sentAgain.bytes <= r.inFlightAtReload.bytes ? "met" : "**missed**"}. Study created after the upload finished: ${report.reload.committed}.`,
    );
  }
  if (report.memory.length > 0) {
    lines.push(
      "",
      "## Page memory and main thread, 1 GiB on lan",
      "",
      "| run | strategy | heap before pick | peak | growth | pick → 201 | longest task | tasks > 50 ms |",
      "| --: | --- | --: | --: | --: | --: | --: | --: |",
      ...report.memory.map(
        (m, i) =>
          `| ${i + 1} | ${m.strategy} | ${mib(m.baselineHeapBytes)} | ${mib(m.peakHeapBytes)} | ${mib(m.peakHeapBytes - m.baselineHeapBytes)} | ${s(m.pickToCommitMs)} | ${n1(m.longestTaskMs)} ms | ${m.longTaskCount} |${m.error ? ` failed: ${m.error}` : ""}`,
      ),
    );
  }
  if (report.failures.length > 0) lines.push("", "## Failures", "", ...report.failures.map((f) => `- ${f}`));
  return `${lines.join("\n")}\n`;
}
