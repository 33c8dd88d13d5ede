import {
  ApiRequestError,
  errorMessage,
  sleep,
  type CommitStudyRequest,
  type UploadTarget,
} from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import { indexOf } from "./file-steps.js";
import { classifyPutOutcome } from "./retry-policy.js";
import { SerialQueue } from "./serial-queue.js";
import type { CommitOutcome, StudyDetails, StudySessionDeps } from "./study-session-types.js";
import type { UploadQueue } from "./upload-queue.js";
import { cancellationError } from "./upload-queue.js";
import { UploadTargetBook, type UploadTargets } from "./upload-targets.js";
import type { CommitAnswer, Effect, SessionEvent, SessionState } from "./upload-state.js";

/** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
const LINK_EXPIRY_MARGIN_MS = 30_000;
/** The API's Retry-After for a busy batch; three tries outlast a commit that is running (it waits up to 10 s itself). */
const COMMIT_BUSY_DELAY_MS = 2_000;
const COMMIT_ATTEMPTS = 3;

export interface EffectRunnerContext {
  deps: Pick<StudySessionDeps, "api" | "hashMd5" | "inspect">;
  transport: BlobTransport;
  queue: UploadQueue;
  state: () => SessionState;
  dispatch: (event: SessionEvent) => void;
  /** The session's clock (ms), the one retry deadlines are set in. */
  now: () => number;
}

/**
 * Does what the transitions ask (hash, check, call the API, send, wait) and reports each result as an event.
 * Holds what the pure state does not: the files' bytes, their abort controllers, the batch's upload links, and
 * the commits' callers. Every wait ends when its file is removed or the session starts over.
 */
export function createEffectRunner(context: EffectRunnerContext) {
  const { deps, dispatch } = context;
  const bodies = new Map<number, Blob>();
  const controllers = new Map<number, AbortController>();
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

  const useBatch = (batchId: string, issued: UploadTargets) => {
    targets = new UploadTargetBook(
      issued,
      (indexes) => deps.api.refreshBatch(batchId, indexes),
      unfinishedIndexes,
      LINK_EXPIRY_MARGIN_MS,
    );
  };

  const announce = async (effect: Extract<Effect, { kind: "announce" }>, generation: number) => {
    const request = { files: effect.files.map((f) => f.spec) };
    try {
      let batchId = effect.batchId;
      let issued: UploadTargets;
      if (batchId === null || targets === null) {
        const created = await deps.api.createBatch(request);
        batchId = created.batchId;
        if (generation === context.state().generation) useBatch(batchId, created);
        issued = created;
      } else {
        issued = await deps.api.addBatchFiles(batchId, request);
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
    const signal = signalOf(key);
    const body = bodies.get(key);
    const book = targets;
    const verdict = await context.queue.add(async (slot) => {
      if (signal.aborted) return { kind: "cancelled" } as const;
      dispatch({ kind: "put-started", generation, key, attempt });
      if (!body || !book) return { kind: "fatal", reason: "the file's bytes are not at hand" } as const;
      let target: UploadTarget;
      try {
        target = await book.usable(effect.index, effect.renewLink ? (lastTarget.get(key) ?? null) : null);
      } catch (error) {
        if (signal.aborted) return { kind: "cancelled" } as const;
        return { kind: "retry", reason: `could not renew the upload link (${errorMessage(error)})` } as const;
      }
      if (signal.aborted) return { kind: "cancelled" } as const;
      lastTarget.set(key, target);
      const outcome = await context.transport({
        url: target.uploadUrl,
        headers: { ...target.headers, "Content-MD5": effect.md5 },
        body,
        // The pool's signal (everything stops) or the file's own (it was removed).
        signal: AbortSignal.any([slot, signal]),
        onProgress: (sent) => dispatch({ kind: "progress", generation, key, sent }),
      });
      return classifyPutOutcome(outcome);
    });
    dispatch({ kind: "put-ended", generation, key, attempt, verdict });
  };

  const commit = async (effect: Extract<Effect, { kind: "commit" }>, generation: number) => {
    const details = commits.get(effect.ticket)?.details();
    const signal = generationSignal.signal;
    let answer: CommitAnswer;
    try {
      if (!details) throw new Error("the commit was not asked for");
      const request: CommitStudyRequest = {
        batchId: effect.batchId,
        title: details.title.trim(),
        description: details.description?.trim() || undefined,
        elements: effect.elements.map((e) => ({ index: e.index, label: details.labelOf(e.id).trim(), md5: e.md5 })),
      };
      answer = { kind: "committed", study: await sendCommit(deps.api, request, signal) };
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
        case "hash": {
          const signal = signalOf(effect.key);
          const body = bodies.get(effect.key);
          void hashes
            .run(async () => {
              signal.throwIfAborted();
              if (!body) throw new Error("its bytes are not at hand");
              return deps.hashMd5(body, signal);
            })
            .then(
              (md5) => dispatch({ kind: "hashed", generation, key: effect.key, md5 }),
              (error: unknown) => {
                if (!signal.aborted)
                  dispatch({ kind: "unreadable", generation, key: effect.key, reason: errorMessage(error) });
              },
            );
          return;
        }
        case "announce":
          void announce(effect, generation);
          return;
        case "remove":
          // A failure leaves the staged blob to the sweep, which deletes it at the batch's expiry.
          void deps.api
            .removeBatchFile(effect.batchId, effect.index)
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
        case "abort":
          controllers.get(effect.key)?.abort(cancellationError("Image removed"));
          controllers.delete(effect.key);
          bodies.delete(effect.key);
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

/**
 * Commits once; a 409 `commit_in_progress` (another commit of the batch, or an edit racing it) and a 503
 * `server_busy` (the instance verifies as many commits as it may) are asked again after a wait `signal` ends.
 */
async function sendCommit(
  api: StudySessionDeps["api"],
  request: CommitStudyRequest,
  signal: AbortSignal,
): ReturnType<StudySessionDeps["api"]["commitStudy"]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.commitStudy(request);
    } catch (error) {
      const busy =
        error instanceof ApiRequestError && (error.code === "commit_in_progress" || error.code === "server_busy");
      if (!busy || attempt >= COMMIT_ATTEMPTS) throw error;
      await sleep(COMMIT_BUSY_DELAY_MS, signal);
    }
  }
}
