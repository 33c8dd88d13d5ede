import type { CreateBatchRequest } from "@study-uploader/shared";
import { ChangeSignal } from "./change-signal.js";
import { DEFAULT_RETRY_OPTIONS } from "./retry-policy.js";
import { SerialQueue } from "./serial-queue.js";
import { withStallTimeout } from "./stall-timeout.js";
import { createStudyCommitter } from "./study-commit.js";
import type { RestoredFile, SessionFile, StudySessionDeps } from "./study-session-types.js";
import { restoredTrackedFile, trackedFile, type TrackedFile } from "./tracked-file.js";
import { errorText, uploadFile, type FileUploadState } from "./upload-file.js";
import { UploadQueue, cancellationError } from "./upload-queue.js";
import { UploadTargetBook, type UploadTargets } from "./upload-targets.js";

export type * from "./study-session-types.js";

/** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
const LINK_EXPIRY_MARGIN_MS = 30_000;

const batchRequest = (files: readonly TrackedFile[]): CreateBatchRequest => ({ files: files.map((t) => t.spec) });

/**
 * The upload session of one study, without a UI: the web form's store and the soak's simulated researchers both
 * drive it. Files start hashing and uploading the moment they are added, into one server-side batch that grows
 * with every addition; a removed file's upload is aborted and its staged blob deleted. `commit` waits for the
 * study's files to arrive and then commits them in one request.
 */
export function createStudySession(deps: StudySessionDeps) {
  const events = deps.events ?? {};
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...deps.retry };
  const transport = withStallTimeout(deps.transport, retry.stallTimeoutMs);
  const queue = new UploadQueue(deps.concurrency ?? 6);
  const files = new Map<string, TrackedFile>();
  let batchId: string | null = null;
  let targets: UploadTargetBook | null = null;
  /**
   * The API hears of additions and removals one after another, so every file gets its index in the one batch and
   * a removal makes room before the addition that follows it.
   */
  const toApi = new SerialQueue();
  /** Hashes run one at a time in the order files were added, so the first upload waits for one hash only. */
  const hashes = new SerialQueue();
  /** Bumped when the session starts over: work of the earlier study must not touch the next one. */
  let generation = 0;
  const changes = new ChangeSignal();

  const isLive = (tracked: TrackedFile) => files.get(tracked.id) === tracked;

  const setState = (tracked: TrackedFile, state: FileUploadState) => {
    if (!isLive(tracked)) return;
    tracked.status = state.status;
    events.onFileState?.(tracked.id, state);
    changes.notify();
  };

  const reportProgress = (tracked: TrackedFile, sentBytes: number) => {
    const clamped = Math.min(sentBytes, tracked.size);
    if (!isLive(tracked) || clamped <= tracked.sentBytes) return;
    tracked.sentBytes = clamped;
    events.onFileProgress?.(tracked.id, clamped);
  };

  const hash = (tracked: TrackedFile): Promise<string> => {
    const { signal } = tracked.controller;
    // One unreadable file does not stop the others; its own upload reports the failure.
    const md5 = hashes.run(async () => {
      signal.throwIfAborted();
      const value = await deps.hashMd5(tracked.body!, signal);
      tracked.md5Value = value;
      if (isLive(tracked)) events.onFileHashed?.(tracked.id, value);
      return value;
    });
    // Observed here: a file removed before its upload awaited the hash must not leave a rejection unhandled.
    md5.catch(() => undefined);
    return md5;
  };

  const unfinishedIndexes = () =>
    [...files.values()]
      .filter((t) => t.index !== null && t.status !== "done" && t.status !== "failed")
      .map((t) => t.index!);

  const upload = (tracked: TrackedFile) => {
    const book = targets;
    if (tracked.index === null || !book || !tracked.body) return;
    const { signal } = tracked.controller;
    uploadFile(tracked.index, tracked.body, tracked.md5, {
      queue,
      transport,
      targets: book,
      retry,
      random: deps.random ?? Math.random,
      signal,
      onState: (state) => setState(tracked, state),
      onProgress: (sentBytes) => reportProgress(tracked, sentBytes),
    }).then(
      (result) => {
        if (result.kind === "done") {
          reportProgress(tracked, tracked.size);
          setState(tracked, { status: "done" });
        } else if (result.kind === "failed") {
          setState(tracked, { status: "failed", reason: result.reason });
        }
      },
      (error: unknown) => {
        if (!signal.aborted) setState(tracked, { status: "failed", reason: errorText(error) });
      },
    );
  };

  /** Tells the API about these files (a new batch, or more files for it), then starts their uploads. */
  const announce = (group: readonly TrackedFile[]) => {
    const ofGeneration = generation;
    return toApi.run(async () => {
      const live = group.filter(isLive);
      if (live.length === 0 || ofGeneration !== generation) return;
      try {
        let issued: UploadTargets;
        if (batchId && targets) {
          issued = await deps.api.addBatchFiles(batchId, batchRequest(live));
          if (ofGeneration !== generation) return;
          targets.add(issued);
        } else {
          const created = await deps.api.createBatch(batchRequest(live));
          if (ofGeneration !== generation) return;
          useBatch(created.batchId, created);
          events.onBatchCreated?.(created.batchId, created.files[0]?.uploadUrl ?? null);
          issued = created;
        }
        // The API numbers added files in the order they were sent.
        const indexes = issued.files.map((t) => t.index).sort((a, b) => a - b);
        live.forEach((tracked, i) => {
          tracked.batchId = batchId;
          tracked.index = indexes[i] ?? null;
          if (tracked.index !== null) events.onFileIndexed?.(tracked.id, tracked.index);
        });
        for (const tracked of live) if (isLive(tracked)) upload(tracked);
      } catch (error) {
        if (ofGeneration !== generation) return;
        for (const tracked of live) {
          setState(tracked, { status: "failed", reason: `could not start the upload (${errorText(error)})` });
        }
      }
    });
  };

  const useBatch = (id: string, issued: UploadTargets) => {
    batchId = id;
    targets = new UploadTargetBook(
      issued,
      (indexes) => deps.api.refreshBatch(id, indexes),
      unfinishedIndexes,
      LINK_EXPIRY_MARGIN_MS,
    );
  };

  const track = (file: SessionFile): TrackedFile => {
    const tracked = trackedFile(file);
    files.set(file.id, tracked);
    tracked.md5 = hash(tracked);
    return tracked;
  };

  /**
   * A restored file's bytes are back: it is uploaded into the index it had. If it was hashed before the reload
   * and its MD5 differs now, it is another file under the same name: its old index goes and it joins as new.
   */
  const resume = (tracked: TrackedFile, body: Blob) => {
    const expected = tracked.md5Value;
    tracked.body = body;
    tracked.md5Value = null;
    tracked.md5 = hash(tracked);
    if (expected === null) {
      upload(tracked);
      return;
    }
    tracked.md5.then(
      (actual) => {
        if (!isLive(tracked)) return;
        if (actual === expected) {
          upload(tracked);
          return;
        }
        const { batchId: oldBatch, index: oldIndex } = tracked;
        tracked.index = null;
        toApi
          .run(() => (oldBatch && oldIndex !== null ? deps.api.removeBatchFile(oldBatch, oldIndex) : undefined))
          .catch(() => undefined);
        void announce([tracked]);
      },
      // The upload reports the file that could not be read.
      () => upload(tracked),
    );
  };

  const committer = createStudyCommitter({
    api: deps.api,
    files,
    changes,
    announced: () => toApi.idle(),
    batchId: () => batchId,
    onStarted: () => events.onCommitStarted?.(),
    onCommitted: () => startOver(),
    onRefused: (file, problem) => {
      targets?.invalidate(file.index!);
      setState(file, { status: "failed", reason: problem });
    },
  });

  /** Forgets the study: stops its hashes and uploads; the next file added starts a new batch. */
  const startOver = () => {
    generation++;
    for (const tracked of files.values()) tracked.controller.abort(cancellationError());
    files.clear();
    batchId = null;
    targets = null;
    committer.cancel();
    changes.notify();
  };

  return {
    /** Adds images to the study: each is hashed and uploaded at once, in the order given. */
    add(added: readonly SessionFile[]): void {
      const waiting = added.flatMap((file) => {
        const tracked = files.get(file.id);
        return tracked && tracked.body === null && tracked.status !== "done" ? [{ tracked, body: file.body }] : [];
      });
      const fresh = added.filter((file) => !files.has(file.id)).map(track);
      if (fresh.length === 0 && waiting.length === 0) return;
      events.onUploadStarted?.([...waiting.map((w) => w.tracked.id), ...fresh.map((t) => t.id)]);
      for (const { tracked, body } of waiting) {
        setState(tracked, { status: "queued" });
        resume(tracked, body);
      }
      for (const tracked of fresh) setState(tracked, { status: "queued" });
      if (fresh.length > 0) void announce(fresh);
    },

    /**
     * Takes up a batch begun before a reload, in an empty session: files that arrived count as done and are never
     * sent again; the others wait at their index until `add` gives them their bytes (same id). Links are renewed
     * on first use.
     */
    restore(restoredBatchId: string, restored: readonly RestoredFile[]): void {
      if (files.size > 0 || batchId !== null) throw new Error("restore needs an empty session");
      useBatch(restoredBatchId, { expiresAt: new Date(0).toISOString(), files: [] });
      for (const file of restored) files.set(file.id, restoredTrackedFile(file, restoredBatchId));
    },

    /**
     * Takes an image out of the study: its hash and upload stop now, and once the API knows it, its staged blob
     * is deleted (resolves when that is done; a failure leaves it to the sweep, which deletes it at expiry).
     */
    async remove(id: string): Promise<void> {
      const tracked = files.get(id);
      if (!tracked) return;
      files.delete(id);
      tracked.controller.abort(cancellationError("Image removed"));
      changes.notify();
      // In line with the announcements: an image removed while being announced has its index after it, and an
      // addition that follows must not reach the API before the removal made room for it.
      await toApi.run(async () => {
        if (tracked.batchId !== null && tracked.index !== null) {
          await deps.api.removeBatchFile(tracked.batchId, tracked.index);
        }
      });
    },

    /** Sends failed images again (all of them, or those `only` picks); images that arrived are never re-sent. */
    retry(only: (id: string) => boolean = () => true): void {
      const unannounced: TrackedFile[] = [];
      for (const tracked of files.values()) {
        // A restored file whose bytes are not back cannot be sent: adding it again resumes it.
        if (tracked.status !== "failed" || !only(tracked.id) || tracked.body === null) continue;
        if (tracked.md5Value === null) tracked.md5 = hash(tracked);
        setState(tracked, { status: "queued" });
        if (tracked.index === null) unannounced.push(tracked);
        else upload(tracked);
      }
      if (unannounced.length > 0) void announce(unannounced);
    },

    /** Commits the study in one request once every one of its images has arrived; never while one failed. */
    commit: committer.commit,

    /** Stops waiting for the uploads before a commit; they go on. False when no commit was waiting. */
    cancelCommit: committer.cancel,

    /** More (or fewer) uploads at once, e.g. when the upload origin turns out to speak HTTP/2. */
    setConcurrency(concurrency: number): void {
      queue.setConcurrency(concurrency);
    },

    /** Abandons the study: stops everything; its staged blobs are left to the sweep. */
    discard(): void {
      startOver();
    },
  };
}

export type StudySession = ReturnType<typeof createStudySession>;
