import type { BenchMode, SkippedCell, StrategyName } from "./bench-plan.js";
import type { NetworkProfileName } from "./network-profiles.js";
import type { ProxyCalibration } from "./proxy-calibration.js";

/** Where the time of one product run went, from the page's resource timing (ms). */
export interface RunPhases {
  /** Click → batch response: the API call that hands out the upload links. */
  batchMs: number;
  /** Batch response → first PUT leaves: hashing the first file, rendering. */
  beforeFirstPutMs: number;
  /** First PUT leaves → last PUT answered. */
  uploadMs: number;
  /** Last PUT answered → commit leaves. */
  beforeCommitMs: number;
  commitMs: number;
}

export interface RunSample {
  /** Click on Create study → the study's 201 response. */
  totalMs: number;
  /** Files picked → the study's page shows its title (the relay: its page says the study was created). */
  pickToStudyMs?: number;
  /** Files picked → the study's 201 response (the large-file bench's efficiency uses it). */
  pickToCommitMs?: number;
  /** Click on Create study → the study's page shows its title. */
  clickToStudyMs?: number;
  /** First PUT's start and last PUT's end, ms after the click (negative: before it); product strategies only. */
  uploadsFromClickMs?: { firstStart: number; lastEnd: number };
  /** The PUTs' (or the relay POST's) negotiated protocol, from resource timing: "h2", "http/1.1". */
  uploadProtocol?: string;
  /** Batch + commit request durations; product strategies only. */
  apiMs?: number;
  phases?: RunPhases;
  /** Longest main-thread task between click and response; 0 when none reached 50 ms (the long-task threshold). */
  longestTaskMs: number;
  /** When that task started, ms after the click. */
  longestTaskAtMs?: number;
  /** Main-thread tasks over 50 ms between the pick (or click) and the response. */
  longTaskCount?: number;
}

export interface CellMeasurement {
  profile: NetworkProfileName;
  workloadId: string;
  strategy: StrategyName;
  /** Seconds between picking the files and clicking Create study. */
  thinkS: number;
  runs: RunSample[];
  /** CPU of the server process (API or relay) over the timed runs' click→response windows, ÷ runs. */
  serverCpuMsPerStudy: number;
  /** Request body bytes the server received per study (JSON for the API, the multipart body for the relay). */
  serverBytesInPerStudy: number;
}

export interface CellSummary extends CellMeasurement {
  idealMs: number;
  medianMs: number;
  medianPickToStudyMs?: number;
  medianClickToStudyMs?: number;
  /** Sequential median ÷ this median; undefined without a sequential measurement. */
  speedup?: number;
  /** Ideal ÷ median; undefined on an unshaped link. */
  efficiency?: number;
  /** Median over runs of (batch + commit) ÷ total. */
  apiShare?: number;
  /** Median phases of the runs (each phase's own median). */
  phases?: RunPhases;
  longestTaskMs: number;
}

export interface MemoryRun {
  baselineHeapBytes: number;
  peakHeapBytes: number;
  totalMs: number;
  samples: number;
  longestTaskMs: number;
}

export interface MemoryResult {
  workloadId: string;
  profile: NetworkProfileName;
  strategy: StrategyName;
  runs: MemoryRun[];
}

export interface LoadSide {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

export interface ApiLoadResult {
  files: number;
  connections: number;
  durationS: number;
  api: LoadSide;
  bareHono: LoadSide;
}

export interface TargetResult {
  target: string;
  /** null: not measured in this run. */
  met: boolean | null;
  detail: string;
}

/** What one run was asked to do and what it measured: everything the verdicts and notes are derived from. */
export interface BenchResults {
  mode: BenchMode;
  /** Every proxied connection starts with TCP slow start (a side experiment; the default run has it off). */
  slowStart: boolean;
  startedAt: string;
  durationS: number;
  runsPerCell: number;
  machine: { cpus: number; node: string; chromium: string };
  /** The gateway's HTTP/2 flow-control windows, which cap one stream at window ÷ RTT; absent in older reports. */
  gateway?: { streamWindowBytes: number; connectionWindowBytes: number };
  calibration: ProxyCalibration[];
  cells: CellSummary[];
  skipped: Array<Omit<SkippedCell, "workload"> & { workloadId: string }>;
  memory?: MemoryResult;
  /** The same files twice by one user; absent in reports from before it was measured. */
  dedupe?: DedupeResult;
  apiLoad?: ApiLoadResult;
  /** Runs that did not finish, one line each; the cells leave them out. */
  failures: string[];
}

/** The results with what they say: a verdict per target and a note on each miss. */
export interface BenchReport extends BenchResults {
  targets: TargetResult[];
  notes: string[];
}

/** One study of the dedupe case. */
export interface DedupeStudy {
  /** Upload requests the page made (XHRs from the pick, in its resource timing). */
  uploads: number;
  /** Request body bytes the way to storage (proxy or front door) forwarded during the study. */
  storageBodyBytes: number;
  /** Click → the commit's 201. */
  totalMs: number;
  pickToStudyMs?: number;
  clickToStudyMs?: number;
}

/** The same user creating a study of the same files twice, per strategy and run. */
export interface DedupeResult {
  profile: NetworkProfileName;
  workloadId: string;
  runs: Array<{ strategy: StrategyName; first: DedupeStudy; second: DedupeStudy }>;
}
