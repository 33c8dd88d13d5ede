import { AdaptiveConcurrency, startingConcurrency } from "./adaptive-concurrency.js";
import { createEffectRunner } from "./effect-runner.js";
import { meteredTransport } from "./metered-transport.js";
import { indexOf, sentBytesOf } from "./file-steps.js";
import { isReused } from "./stored-reuse.js";
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS } from "./retry-policy.js";
import { withStallTimeout } from "./stall-timeout.js";
import type {
  CommitOutcome,
  BlockSettings,
  CommitRequest,
  KeptUpload,
  RestoredFile,
  SessionFile,
  StudySessionDeps,
  UploadSnapshot,
} from "./study-session-types.js";
import { TransferRateMeter } from "./transfer-rate.js";
import { transition } from "./upload-machine.js";
import { UploadQueue } from "./upload-queue.js";
import { emptySession, type FileEntry, type SessionEvent, type SessionState } from "./upload-state.js";
import { NetworkWatch } from "./network-watch.js";

export type * from "./study-session-types.js";

const isSending = ({ state }: FileEntry) => state.kind === "uploading";

/** What a kept draft saves of a snapshot: the batch, and each announced file's index, MD5 and whether it arrived. */
export const keptUpload = (snapshot: UploadSnapshot): KeptUpload => ({
  batchId: snapshot.batchId,
  files: Object.values(snapshot.files).flatMap(({ id, state, blocks }) => {
    const index = indexOf(state);
    // A large file being hashed while it is sent has no MD5 yet ("").
    const md5 = "md5" in state && state.md5 ? state.md5 : null;
    if (index === null) return [];
    const kept = { id, index, md5, uploaded: state.kind === "uploaded" };
    if (!blocks || md5 === null || kept.uploaded) return [kept];
    const { blockBytes, md5s, done } = blocks;
    return [{ ...kept, blocks: { blockBytes, md5s, done: [...done].sort((a, b) => a - b) } }];
  }),
});

/**
 * The upload session of one study, without a UI: the web form and the soak's simulated researchers both drive
 * it. Files are announced, checked, hashed and uploaded the moment they are added, into one server-side batch
 * that grows with every addition; a removed file's upload is aborted and its staged blob deleted. `commit` waits
 * for the study's files to arrive and then commits them in one request. Its state is one value changed only by
 * `transition` (upload-machine.ts); the effect runner does the work; subscribers read `getSnapshot()`.
 */
export function createStudySession(deps: StudySessionDeps) {
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...deps.retry };
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => performance.now());
  const scheduleNotify = deps.scheduleNotify ?? queueMicrotask;
  let maxConcurrency = deps.concurrency ?? 6;
  const queue = new UploadQueue(maxConcurrency);
  // The pool's size follows the goodput it measures (adaptive-concurrency.ts); `setConcurrency` sets its maximum.
  let adaptive: AdaptiveConcurrency | null = null;
  const adaptPool = (on: boolean) => {
    adaptive = on
      ? new AdaptiveConcurrency({
          start: startingConcurrency(maxConcurrency),
          max: maxConcurrency,
          now,
          onChange: (size) => queue.setConcurrency(size),
        })
      : null;
    queue.setConcurrency(adaptive?.current ?? maxConcurrency);
  };
  if (deps.adaptiveConcurrency) adaptPool(true);
  const stallSafe = withStallTimeout(deps.transport, retry.stallTimeoutMs);
  const rate = new TransferRateMeter();
  const listeners = new Set<() => void>();
  let state: SessionState = emptySession();
  let bytesPerSecond: number | null = null;
  let network: UploadSnapshot["network"] = "online";
  let snapshot: { of: SessionState; rate: number | null; network: string; value: UploadSnapshot } | null = null;
  let notifying = false;
  let nextTicket = 1;

  const notify = () => {
    if (notifying) return;
    notifying = true;
    scheduleNotify(() => {
      notifying = false;
      for (const listener of [...listeners]) listener();
    });
  };

  const measure = (event: SessionEvent, before: SessionState) => {
    if (event.kind === "put-started" && ![...before.files.values()].some(isSending)) {
      // Nothing else was moving: the rate starts afresh instead of averaging over an idle gap.
      rate.reset();
      bytesPerSecond = null;
    }
    if (event.kind === "progress" || event.kind === "put-started") {
      rate.record(
        now(),
        // An image its owner had already arrives whole at once without a byte sent: it is no part of the speed.
        [...state.files.values()].reduce((sum, e) => sum + (isReused(e.state) ? 0 : sentBytesOf(e)), 0),
      );
      bytesPerSecond = rate.bytesPerSecond();
    }
  };

  const dispatch = (event: SessionEvent) => {
    const before = state;
    const result = transition(state, event, {
      maxAttempts: retry.maxAttempts,
      backoffMs: (failures) => backoffDelayMs(failures, retry, random),
      now: now(),
    });
    if (result.state !== before) {
      state = result.state;
      if (state.generation !== before.generation) runner.startOver();
      measure(event, before);
      notify();
    }
    for (const effect of result.effects) runner.run(effect, state.generation);
  };

  const blockSettings = { current: deps.blocks ?? null };
  const watch = new NetworkWatch(deps.probe ?? null, (online) => {
    network = online ? "online" : "offline";
    notify();
  });

  const runner = createEffectRunner({
    deps,
    blockSettings: () => blockSettings.current,
    transport: meteredTransport(stallSafe, () => adaptive),
    queue,
    state: () => state,
    dispatch,
    now,
    network: watch,
    bytesPerConnectionPerSecond: () =>
      bytesPerSecond === null ? null : bytesPerSecond / Math.max(1, Math.min(queue.concurrency, queue.runningCount)),
  });

  /** Resolves once the additions and removals asked for so far reached the API. */
  const apiSettled = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (state.apiBusy !== null || state.apiQueue.length > 0) return false;
        listeners.delete(listener);
        resolve();
        return true;
      };
      const listener = () => void check();
      listeners.add(listener);
      check();
    });

  return {
    getSnapshot(): UploadSnapshot {
      if (snapshot?.of !== state || snapshot.rate !== bytesPerSecond || snapshot.network !== network) {
        const files = Object.fromEntries([...state.files.values()].map((entry) => [entry.id, entry]));
        const { batchId, uploadUrl, commit } = state;
        const value = { batchId, uploadUrl, files, commit, bytesPerSecond, network };
        snapshot = { of: state, rate: bytesPerSecond, network, value };
      }
      return snapshot.value;
    },

    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Adds images to the study: each is announced, checked, hashed and uploaded at once, in the order given. A file
     * with the id of a restored one waiting for its bytes resumes it; an id already here is the same image.
     */
    add(added: readonly SessionFile[]): void {
      runner.offerBytes(added);
      dispatch({
        kind: "add",
        files: added.map((file) => ({ id: file.id, spec: { name: file.name, size: file.body.size, type: file.type } })),
      });
      runner.offerBytes([]);
    },

    /**
     * Takes up a batch begun before a reload, in an empty session: files that arrived count as uploaded and are
     * never sent again; the others wait at their index until `add` gives them their bytes (same id).
     */
    restore(batchId: string, restored: readonly RestoredFile[]): void {
      dispatch({
        kind: "restore",
        batchId,
        files: restored.map(({ id, index, name, size, type, md5, uploaded, blocks }) => ({
          id,
          spec: { name, size, type },
          index,
          md5,
          uploaded,
          blocks: blocks ?? null,
        })),
      });
      runner.takeUpBatch(batchId);
    },

    /**
     * Takes an image out of the study: its check, hash and upload stop now, and once the API knows it, its staged
     * blob is deleted (resolves when the API heard; a failure leaves it to the sweep, which deletes it at expiry).
     */
    remove(id: string): Promise<void> {
      dispatch({ kind: "remove", id });
      return apiSettled();
    },

    /** Sends failed images again (all of them, or those `only` picks); images that arrived are never re-sent. */
    retry(only: (id: string) => boolean = () => true): void {
      dispatch({ kind: "retry", ids: [...state.files.values()].map((entry) => entry.id).filter(only) });
    },

    /**
     * Holds images (all of them, or those `only` picks): what they have in flight stops now; a file in blocks
     * keeps the blocks storage holds. Files still being hashed or announced are held once they could be sent.
     */
    pause(only: (id: string) => boolean = () => true): void {
      dispatch({ kind: "pause", ids: [...state.files.values()].map((entry) => entry.id).filter(only) });
    },

    /** Sends held images again: a file in blocks only the blocks storage does not hold. */
    resume(only: (id: string) => boolean = () => true): void {
      dispatch({ kind: "resume", ids: [...state.files.values()].map((entry) => entry.id).filter(only) });
    },

    /** The browser's online/offline events: offline is believed at once, online is checked with a probe. */
    networkChanged(online: boolean): void {
      watch.browserSays(online);
    },

    /** Which files go in blocks (the API's config, known after the session started). */
    setBlockSettings(settings: BlockSettings | null): void {
      blockSettings.current = settings;
    },

    /** Commits the study in one request once every one of its images has arrived; never while one failed. */
    commit(request: CommitRequest): Promise<CommitOutcome> {
      const ticket = nextTicket++;
      return new Promise((resolve) => {
        runner.awaitCommit(ticket, request.details, resolve);
        dispatch({ kind: "commit", ticket, order: request.order });
      });
    },

    /** Stops waiting for the uploads before a commit; they go on. False when no commit was waiting. */
    cancelCommit(): boolean {
      if (state.commit.kind !== "waiting") return false;
      dispatch({ kind: "cancel-commit" });
      return true;
    },

    /**
     * More (or fewer) uploads at once, e.g. when the upload origin turns out to speak HTTP/2; with an adaptive pool,
     * the most it may grow to.
     */
    setConcurrency(concurrency: number): void {
      maxConcurrency = concurrency;
      if (adaptive) adaptive.setMax(concurrency);
      else queue.setConcurrency(concurrency);
    },

    /** Whether the pool's size follows the link (up to the `setConcurrency` maximum) or is exactly that. */
    setAdaptiveConcurrency(on: boolean): void {
      if (on !== (adaptive !== null)) adaptPool(on);
    },

    /** Abandons the study: stops everything; its staged blobs are left to the sweep (or the caller discards them). */
    discard(): void {
      dispatch({ kind: "start-over" });
    },
  };
}

export type StudySession = ReturnType<typeof createStudySession>;
