import { openAsBlob } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { ApiClient, Study, UploadConfig } from "@study-uploader/shared";
import {
  createNodePutBlob,
  createStudySession,
  isReused,
  nodeMd5,
  type CommitOutcome,
  type UploadSnapshot,
} from "@study-uploader/upload-engine/node";
import type { FolderImage } from "./folder-images.js";
import type { JournalKeeper } from "./journal-keeper.js";
import { createProgressView } from "./progress-view.js";
import type { ResumePlan } from "./resume-plan.js";
import { EXIT, type ExitCode, type Output, type Transfer } from "./run-report.js";

/** "Retry failed" rounds after the engine's own retries gave up on some files (a network that comes and goes). */
const UPLOAD_ROUNDS = 3;

export interface SessionRun {
  api: ApiClient;
  apiUrl: string;
  config: UploadConfig;
  /** The study's images in its order, each with its label and its id in the session. */
  images: readonly (FolderImage & { id: string; label: string })[];
  title: string;
  description: string;
  /** The earlier run's batch to take up, or null for a new batch. */
  resume: { batchId: string; plan: ResumePlan } | null;
  journal: JournalKeeper;
  /** Uploads at once, fixed; null: the pool follows the link up to the API's HTTP/2 limit. */
  concurrency: number | null;
  out: Output;
  tty: boolean;
  /** Ctrl-C or SIGTERM: the run stops, the journal is written, and the next run continues. */
  interrupted: AbortSignal;
}

export type SessionRunResult =
  | { kind: "committed"; study: Study; md5Of: (name: string) => string | null; transfer: Transfer }
  | { kind: "stopped"; code: ExitCode };

/**
 * Sends the folder's images with the web app's own study session (announce, check, hash, upload, retry, reuse,
 * commit), streaming each file from disk, and commits them as one study once all arrived.
 */
export async function runSession(run: SessionRun): Promise<SessionRunResult> {
  const { config, out } = run;
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const agent = run.apiUrl.startsWith("https:") ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const blocks =
    config.blockThresholdBytes && config.blockBytes
      ? { thresholdBytes: config.blockThresholdBytes, blockBytes: config.blockBytes }
      : null;
  const session = createStudySession({
    api: run.api,
    transport: createNodePutBlob(agent),
    hashMd5: nodeMd5,
    blocks,
    concurrency: run.concurrency ?? config.http2Concurrency ?? config.concurrency,
    adaptiveConcurrency: run.concurrency === null && (config.adaptiveConcurrency ?? true),
    scheduleNotify: (notify) => setImmediate(notify),
  });
  const say = (line: string) => view.say(line);
  const nameOf = new Map(run.images.map((image) => [image.id, image.name]));
  const view = createProgressView(out.stderr as NodeJS.WriteStream, run.tty && !out.json);

  const resumed = new Set<string>();
  if (run.resume) {
    session.restore(run.resume.batchId, run.resume.plan.restored);
    for (const id of run.resume.plan.drop) void session.remove(id);
    for (const note of run.resume.plan.notes) say(note);
    for (const entry of Object.values(session.getSnapshot().files))
      if (entry.state.kind === "uploaded" && nameOf.has(entry.id)) resumed.add(entry.id);
    if (resumed.size > 0)
      say(`${resumed.size} of ${run.images.length} files arrived in an earlier run: they are not sent again`);
  }
  // The last snapshot with the batch in it: after the commit the session starts over, empty.
  let last = session.getSnapshot();
  const observe = (snapshot: UploadSnapshot) => {
    if (snapshot.batchId === null && last.batchId !== null) return;
    last = snapshot;
    run.journal.update(snapshot);
    view.update(snapshot);
  };
  const unsubscribe = session.subscribe(() => observe(session.getSnapshot()));
  observe(session.getSnapshot());
  session.add(
    await Promise.all(
      run.images.map(async ({ id, path, name, type }) => ({ id, body: await openAsBlob(path), name, type })),
    ),
  );

  const labelOf = new Map(run.images.map((image) => [image.id, image.label]));
  const details = () => ({
    title: run.title,
    description: run.description,
    labelOf: (id: string) => labelOf.get(id) ?? "",
  });
  const stop = new Promise<"interrupted">((resolve) => {
    if (run.interrupted.aborted) resolve("interrupted");
    run.interrupted.addEventListener("abort", () => resolve("interrupted"), { once: true });
  });
  const finish = (result: SessionRunResult) => {
    unsubscribe();
    view.stop();
    run.journal.flush();
    agent.destroy();
    return result;
  };

  for (let round = 1; ; round++) {
    const outcome = await Promise.race([session.commit({ order: run.images.map((i) => i.id), details }), stop]);
    if (outcome === "interrupted") {
      session.discard();
      const arrived = Object.values(last.files).filter((entry) => entry.state.kind === "uploaded").length;
      say(
        `Interrupted: ${arrived} of ${run.images.length} files are in storage. Run the same command again to continue.`,
      );
      return finish({ kind: "stopped", code: EXIT.interrupted });
    }
    if (outcome.kind === "committed") {
      const transfer = transferOf(last, run.images, resumed);
      const md5s = new Map(run.images.map(({ id, name }) => [name, last.files[id]?.state] as const));
      const md5Of = (name: string) => {
        const state = md5s.get(name);
        return state && "md5" in state ? state.md5 : null;
      };
      run.journal.committed(outcome.study.id);
      return finish({ kind: "committed", study: outcome.study, md5Of, transfer });
    }
    const stopped = stoppedBy(outcome, round, (id) => nameOf.get(id) ?? id, say);
    if (stopped !== null) return finish({ kind: "stopped", code: stopped });
    session.retry();
  }
}

/** What the run says when a commit did not happen, and its exit code; null: try the failed files once more. */
function stoppedBy(
  outcome: Exclude<CommitOutcome, { kind: "committed" }>,
  round: number,
  nameOf: (id: string) => string,
  say: (line: string) => void,
): ExitCode | null {
  switch (outcome.kind) {
    case "files-failed":
      if (round < UPLOAD_ROUNDS) {
        say(`${outcome.failedIds.length} files did not arrive; trying them again`);
        return null;
      }
      say(`${outcome.failedIds.length} files did not arrive: ${outcome.failedIds.map(nameOf).join(", ")}`);
      say("What arrived is kept. Run the same command again to send the rest.");
      return EXIT.interrupted;
    case "refused":
      say(`The study was refused: ${outcome.message}`);
      for (const { id, problem } of outcome.problems) say(`  ${nameOf(id)}: ${problem}`);
      // A file that changed after it was sent (its MD5 no longer storage's) goes again once; a bad one stays bad.
      if (round < UPLOAD_ROUNDS) {
        say("Sending those files again");
        return null;
      }
      return EXIT.refused;
    case "error": {
      // No answer from the API (the network, or the API down): nothing is lost, the next run continues.
      const unreachable = outcome.message.startsWith("Could not reach");
      say(`The study was not created: ${outcome.message}`);
      if (unreachable) say("Run the same command again to continue.");
      return unreachable ? EXIT.interrupted : EXIT.refused;
    }
    case "cancelled":
      return EXIT.interrupted;
  }
}

function transferOf(last: UploadSnapshot, images: SessionRun["images"], resumed: ReadonlySet<string>): Transfer {
  const transfer: Transfer = { sentFiles: 0, sentBytes: 0, reusedFiles: 0, resumedFiles: 0 };
  for (const { id } of images) {
    const entry = last.files[id];
    if (!entry || entry.state.kind !== "uploaded") continue;
    if (resumed.has(id)) transfer.resumedFiles++;
    else if (isReused(entry.state)) transfer.reusedFiles++;
    else {
      transfer.sentFiles++;
      transfer.sentBytes += entry.spec.size;
    }
  }
  return transfer;
}
