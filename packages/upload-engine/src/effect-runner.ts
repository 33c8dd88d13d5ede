import { ApiRequestError, errorMessage, sleep, type UploadTarget } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import { blockBytesOfFile, sendBlockRound } from "./block-upload.js";
import type { DigestInProgress } from "./file-digest.js";
import { hashFile } from "./hash-file.js";
import { commitRequestOf, sendCommit } from "./commit-request.js";
import { indexOf } from "./file-steps.js";
import { createChunkedDigest } from "./md5.js";
import { callThroughOutages, sendThroughOutagesOf, type NetworkWatch } from "./network-watch.js";
import { classifyPutOutcome, type AttemptVerdict } from "./retry-policy.js";
import { SerialQueue } from "./serial-queue.js";
import { reusedFromStore } from "./stored-reuse.js";
import type { BlockSettings, CommitOutcome, StudyDetails, StudySessionDeps } from "./study-session-types.js";
import type { UploadQueue } from "./upload-queue.js";
import { cancellationError } from "./upload-queue.js";
import { UploadTargetBook, type UploadTargets } from "./upload-targets.js";
import type { CommitAnswer, Effect, SessionEvent, SessionState } from "./upload-state.js";

/** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
const LINK_EXPIRY_MARGIN_MS = 30_000;

export interface EffectRunnerContext {
  deps: Pick<StudySessionDeps, "api" | "hashMd5" | "hashDigest" | "inspect">;
  /** When files go in blocks (null: never). */
  blockSettings: () => BlockSettings | null;
  transport: BlobTransport;
  queue: UploadQueue;
  state: () => SessionState;
  dispatch: (event: SessionEvent) => void;
  /** The session's clock (ms), the one retry deadlines are set in. */
  now: () => number;
  network: NetworkWatch;
  /** What one connection sent per second lately (null before anything was measured): a block's size follows it. */
  bytesPerConnectionPerSecond: () => number | null;
}

/**
 * Does what the transitions ask (hash, check, call the API, send, wait) and reports each result as an event.
 * Holds what the pure state does not: the files' bytes, their abort controllers, the batch's upload links, and
 * the commits' callers. Every wait ends when its file is removed or the session starts over.
 */
export function createEffectRunner(context: EffectRunnerContext) {
  const { deps, dispatch, network } = context;
  const hashDigest = deps.hashDigest ?? createChunkedDigest();
  const bodies = new Map<number, Blob>();
  const controllers = new Map<number, AbortController>();
  /** Large files being hashed while they are sent. */
  const digests = new Map<number, DigestInProgress>();
  /** The current attempt of each file being sent: a pause aborts it and keeps the file. */
  const attempts = new Map<number, AbortController>();
  /** The link storage last refused for a file, so a renewal is not asked for twice. */
  const lastTarget = new Map<number, UploadTarget>();
  /** Hashes run one at a time in the order files were added, so the first upload waits for one hash only. */
  const hashes = new SerialQueue();
  const commits = new Map<number, { resolve: (outcome: CommitOutcome) => void; details: () => StudyDetails }>();
  let targets: UploadTargetBook | null = null;
  let offered = new Map<string, Blob>();
  /** Aborted when the session starts over: its commit's busy wait ends with it. */
  let generationSignal = new AbortController();

  const signalOf = (key: number) => {
    let controller = controllers.get(key);
    if (!controller) controllers.set(key, (controller = new AbortController()));
    return controller.signal;
  };

  /** Files that will still need a link: a renewal asks for all of them at once. */
  const unfinishedIndexes = () =>
    [...context.state().files.values()].flatMap(({ state }) => {
      const index = indexOf(state);
      const finished = state.kind === "uploaded" || state.kind === "failed" || state.kind === "rejected";
      return index === null || finished ? [] : [index];
    });

  /** The block size a file is hashed with: kept from before a reload, else chosen now; null for a file sent whole. */
  const blockBytesOf = (key: number) =>
    blockBytesOfFile(context.state().files.get(key), context.blockSettings(), context.bytesPerConnectionPerSecond());

  const useBatch = (batchId: string, issued: UploadTargets) => {
    targets = new UploadTargetBook(
      issued,
      (indexes) => deps.api.refreshBatch(batchId, indexes),
      unfinishedIndexes,
      LINK_EXPIRY_MARGIN_MS,
    );
  };

  const throughOutages = <T>(call: () => Promise<T>, signal: AbortSignal) => callThroughOutages(network, call, signal);
  const sendThroughOutages = sendThroughOutagesOf(network, context.transport);

  const announce = async (effect: Extract<Effect, { kind: "announce" }>, generation: number) => {
    const request = { files: effect.files.map((f) => f.spec) };
    const signal = generationSignal.signal;
    try {
      let batchId = effect.batchId;
      let issued: UploadTargets;
      if (batchId === null || targets === null) {
        const created = await throughOutages(() => deps.api.createBatch(request), signal);
        batchId = created.batchId;
        if (generation === context.state().generation) useBatch(batchId, created);
        issued = created;
      } else {
        const id = batchId;
        issued = await throughOutages(() => deps.api.addBatchFiles(id, request), signal);
        if (generation === context.state().generation) targets.add(issued);
      }
      const indexes = issued.files.map((t) => t.index);
      dispatch({ kind: "announced", generation, batchId, indexes, uploadUrl: issued.files[0]?.uploadUrl ?? null });
    } catch (error) {
      dispatch({ kind: "announce-failed", generation, reason: errorMessage(error) });
    }
  };

  const put = async (effect: Extract<Effect, { kind: "put" }>, generation: number) => {
    const { key, attempt } = effect;
    const thisAttempt = new AbortController();
    attempts.get(key)?.abort(cancellationError());
    attempts.set(key, thisAttempt);
    const signal = AbortSignal.any([signalOf(key), thisAttempt.signal]);
    const body = bodies.get(key);
    const book = targets;
    const blocks = context.state().files.get(key)?.blocks ?? null;
    const started = () => dispatch({ kind: "put-started", generation, key, attempt });
    // The link storage refused is renewed once, by the first request of the attempt (a file in blocks has many).
    let expired = effect.renewLink ? (lastTarget.get(key) ?? null) : null;
    const link = async () => {
      if (!book) throw new Error("the batch has no upload links");
      const target = await book.usable(effect.index, expired);
      expired = null;
      lastTarget.set(key, target);
      return target;
    };
    const onProgress = (sent: number) => dispatch({ kind: "progress", generation, key, sent });
    let verdict: AttemptVerdict;
    if (blocks && body && book) {
      const progress = digests.get(key);
      verdict = await sendBlockRound({
        queue: context.queue,
        send: sendThroughOutages,
        link: () => throughOutages(link, signal),
        body,
        md5Of: (block) => (blocks.md5s[block] ? Promise.resolve(blocks.md5s[block]) : progress!.block(block)),
        fileMd5: () => (effect.md5 ? Promise.resolve(effect.md5) : progress!.file),
        blocks: { blockBytes: blocks.blockBytes, done: blocks.done, count: blocks.md5s.length },
        signal,
        onStarted: started,
        onProgress,
        onBlockDone: (block) => dispatch({ kind: "block-done", generation, key, block }),
      });
    } else {
      verdict = await context.queue
        .add(async (slot) => {
          if (signal.aborted) return { kind: "cancelled" } as const;
          started();
          if (!body || !book) return { kind: "fatal", reason: "the file's bytes are not at hand" } as const;
          let target: UploadTarget;
          try {
            target = await throughOutages(link, signal);
          } catch (error) {
            if (signal.aborted) return { kind: "cancelled" } as const;
            return { kind: "retry", reason: `could not renew the upload link (${errorMessage(error)})` } as const;
          }
          if (signal.aborted) return { kind: "cancelled" } as const;
          if (target.mode === "blocks") {
            return {
              kind: "fatal",
              reason: "storage expects this file in blocks; reload the page and add it again",
            } as const;
          }
          const batchId = context.state().batchId;
          if (batchId && (await reusedFromStore(deps.api, batchId, target, effect.md5, throughOutages, signal))) {
            return { kind: "reused" } as const;
          }
          if (signal.aborted) return { kind: "cancelled" } as const;
          const outcome = await sendThroughOutages({
            url: target.uploadUrl,
            headers: { ...target.headers, "Content-MD5": effect.md5 },
            body,
            // The pool's signal (everything stops), the file's own (it was removed) or the attempt's (paused).
            signal: AbortSignal.any([slot, signal]),
            onProgress,
          });
          return classifyPutOutcome(outcome);
        })
        .catch(() => ({ kind: "cancelled" }) as const);
    }
    if (attempts.get(key) === thisAttempt) attempts.delete(key);
    dispatch({ kind: "put-ended", generation, key, attempt, verdict });
  };

  const hash = (key: number, generation: number) =>
    hashFile(
      { hashers: { hashMd5: deps.hashMd5, hashDigest }, serial: hashes, digests, dispatch },
      { key, generation, entry: context.state().files.get(key), body: bodies.get(key), blockBytes: blockBytesOf(key) },
      signalOf(key),
    );

  const commit = async (effect: Extract<Effect, { kind: "commit" }>, generation: number) => {
    const details = commits.get(effect.ticket)?.details();
    const signal = generationSignal.signal;
    let answer: CommitAnswer;
    try {
      if (!details) throw new Error("the commit was not asked for");
      const request = commitRequestOf(effect, details);
      answer = { kind: "committed", study: await throughOutages(() => sendCommit(deps.api, request, signal), signal) };
    } catch (error) {
      const files = error instanceof ApiRequestError ? error.files : [];
      answer = { kind: files.length > 0 ? "refused" : "error", message: errorMessage(error), files };
    }
    dispatch({ kind: "commit-answered", generation, answer });
  };

  return {
    /** The bytes of files being added: a file the transition starts checking keeps them (the others are dropped). */
    offerBytes(files: readonly { id: string; body: Blob }[]) {
      offered = new Map(files.map((file) => [file.id, file.body]));
    },
    /** A commit asked for: `details` are read when it is sent; `resolve` hears how it ended. */
    awaitCommit(ticket: number, details: () => StudyDetails, resolve: (outcome: CommitOutcome) => void) {
      commits.set(ticket, { resolve, details });
    },
    run(effect: Effect, generation: number): void {
      switch (effect.kind) {
        case "check": {
          const entry = context.state().files.get(effect.key);
          const body = entry && offered.get(entry.id);
          if (body) bodies.set(effect.key, body);
          const type = entry?.spec.type;
          const checked = body && type && deps.inspect ? deps.inspect(body, type) : Promise.resolve(null);
          void checked.then((problem) => dispatch({ kind: "checked", generation, key: effect.key, problem }));
          return;
        }
        case "hash":
          return hash(effect.key, generation);
        case "announce":
          void announce(effect, generation);
          return;
        case "remove":
          // A failure leaves the staged blob to the sweep, which deletes it at the batch's expiry.
          void throughOutages(() => deps.api.removeBatchFile(effect.batchId, effect.index), generationSignal.signal)
            .catch(() => undefined)
            .then(() => dispatch({ kind: "removed", generation }));
          return;
        case "put":
          void put(effect, generation);
          return;
        case "wait":
          sleep(Math.max(0, effect.at - context.now()), signalOf(effect.key)).then(
            () => dispatch({ kind: "retry-due", generation, key: effect.key, attempt: effect.attempt }),
            () => undefined,
          );
          return;
        case "halt":
          attempts.get(effect.key)?.abort(cancellationError("Paused"));
          attempts.delete(effect.key);
          return;
        case "abort":
          controllers.get(effect.key)?.abort(cancellationError("Image removed"));
          controllers.delete(effect.key);
          bodies.delete(effect.key);
          digests.delete(effect.key);
          lastTarget.delete(effect.key);
          return;
        case "forget-link":
          targets?.invalidate(effect.index);
          return;
        case "commit":
          void commit(effect, generation);
          return;
        case "settle-commit":
          commits.get(effect.ticket)?.resolve(effect.outcome);
          commits.delete(effect.ticket);
          return;
      }
    },
    /** The session started over: the next file starts a new batch, and a busy commit's wait ends. */
    startOver() {
      generationSignal.abort(cancellationError());
      generationSignal = new AbortController();
      targets = null;
    },
    /** A batch begun before a reload: its links are renewed on first use. */
    takeUpBatch(batchId: string) {
      useBatch(batchId, { expiresAt: new Date(0).toISOString(), files: [] });
    },
  };
}
