import { MultiBar, type SingleBar } from "cli-progress";
import { formatBytes, formatDuration } from "@study-uploader/shared";
import { isReused, sentBytesOf, type UploadSnapshot } from "@study-uploader/upload-engine/node";

/** What the terminal shows while a study uploads: bars on a TTY, one plain line per finished file otherwise. */
export interface ProgressView {
  /** The session's latest snapshot (cheap: the view draws on its own clock). */
  update(snapshot: UploadSnapshot): void;
  /** A line above the bars. */
  say(line: string): void;
  stop(): void;
}

interface Totals {
  files: number;
  arrived: number;
  bytes: number;
  sent: number;
}

const totalsOf = (snapshot: UploadSnapshot): Totals => {
  const totals = { files: 0, arrived: 0, bytes: 0, sent: 0 };
  for (const entry of Object.values(snapshot.files)) {
    totals.files += 1;
    totals.bytes += entry.spec.size;
    totals.sent += sentBytesOf(entry);
    if (entry.state.kind === "uploaded") totals.arrived += 1;
  }
  return totals;
};

const speedAndEta = (totals: Totals, bytesPerSecond: number | null) =>
  bytesPerSecond
    ? `${formatBytes(bytesPerSecond)}/s, ${formatDuration((totals.bytes - totals.sent) / bytesPerSecond)} left`
    : "measuring speed";

/** Bars for the files on their way (at most this many) under one bar for the whole study. */
const MAX_FILE_BARS = 8;
const DRAW_EVERY_MS = 200;

/**
 * Keeps only the latest snapshot and draws it every DRAW_EVERY_MS (and once more at the end): a thousand files'
 * progress events cost one pass over the files per frame, not one per event.
 */
function onItsOwnClock(draw: (snapshot: UploadSnapshot) => void) {
  let latest: UploadSnapshot | null = null;
  let drawn: UploadSnapshot | null = null;
  const frame = () => {
    if (latest && latest !== drawn) draw((drawn = latest));
  };
  const timer = setInterval(frame, DRAW_EVERY_MS);
  timer.unref();
  return {
    update: (snapshot: UploadSnapshot) => {
      if (!drawn) draw((drawn = snapshot));
      latest = snapshot;
    },
    stop: () => {
      clearInterval(timer);
      frame();
    },
  };
}

export function createProgressView(out: NodeJS.WriteStream, tty: boolean): ProgressView {
  return tty ? barsView(out) : linesView(out);
}

/** cli-progress: the study's bar (files, bytes, speed, time left), then a bar per file being sent. */
function barsView(out: NodeJS.WriteStream): ProgressView {
  const bars = new MultiBar({
    stream: out,
    format: " {bar} {percentage}% | {label}",
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    autopadding: true,
    fps: 1000 / DRAW_EVERY_MS,
  });
  let total: SingleBar | null = null;
  const fileBars = new Map<string, SingleBar>();
  const draw = (snapshot: UploadSnapshot) => {
    const totals = totalsOf(snapshot);
    const label = `${totals.arrived}/${totals.files} files, ${formatBytes(totals.sent)} of ${formatBytes(totals.bytes)}, ${speedAndEta(totals, snapshot.bytesPerSecond)}`;
    total ??= bars.create(totals.bytes, 0, { label });
    total.setTotal(Math.max(1, totals.bytes));
    total.update(totals.sent, { label });
    const sending = Object.values(snapshot.files)
      .filter((entry) => entry.state.kind === "uploading")
      .slice(0, MAX_FILE_BARS);
    const shown = new Set(sending.map((entry) => entry.id));
    for (const [id, bar] of fileBars) {
      if (shown.has(id)) continue;
      bars.remove(bar);
      fileBars.delete(id);
    }
    for (const entry of sending) {
      const fileLabel = `${entry.spec.name} (${formatBytes(entry.spec.size)})`;
      let bar = fileBars.get(entry.id);
      if (!bar) fileBars.set(entry.id, (bar = bars.create(entry.spec.size, 0, { label: fileLabel })));
      bar.update(sentBytesOf(entry), { label: fileLabel });
    }
  };
  const drawing = onItsOwnClock(draw);
  return {
    update: drawing.update,
    say(line) {
      bars.log(`${line}\n`);
    },
    stop() {
      drawing.stop();
      for (const bar of fileBars.values()) bars.remove(bar);
      bars.stop();
    },
  };
}

/** No terminal (a log, a pipe): a line per file as it arrives, and the totals every 10 seconds. */
function linesView(out: NodeJS.WriteStream): ProgressView {
  /** The last of "uploaded" or "failed" told for each file. */
  const told = new Map<string, "uploaded" | "failed">();
  let finished = 0;
  let latest: UploadSnapshot | null = null;
  let lastTotals = "";
  const timer = setInterval(() => {
    if (!latest) return;
    const totals = totalsOf(latest);
    const line = `${totals.arrived}/${totals.files} files, ${formatBytes(totals.sent)} of ${formatBytes(totals.bytes)} (${speedAndEta(totals, latest.bytesPerSecond)})`;
    if (line !== lastTotals) out.write(`… ${line}\n`);
    lastTotals = line;
  }, 10_000);
  timer.unref();
  const drawing = onItsOwnClock((snapshot) => {
    const entries = Object.values(snapshot.files);
    const first = latest === null;
    latest = snapshot;
    for (const entry of entries) {
      const { state } = entry;
      if ((state.kind !== "uploaded" && state.kind !== "failed") || told.get(entry.id) === state.kind) continue;
      told.set(entry.id, state.kind);
      if (state.kind === "uploaded") finished++;
      // Files that arrived in an earlier run are counted, not listed: the run said how many.
      if (first && state.kind === "uploaded") continue;
      const how =
        state.kind === "failed" ? `failed: ${state.reason}` : isReused(state) ? "already uploaded" : "uploaded";
      out.write(`[${finished}/${entries.length}] ${entry.spec.name} ${how}\n`);
    }
  });
  return {
    update: drawing.update,
    say(line) {
      out.write(`${line}\n`);
    },
    stop() {
      drawing.stop();
      clearInterval(timer);
    },
  };
}
