import {
  ApiRequestError,
  type ApiClient,
  type CommitStudyRequest,
  type CreateBatchRequest,
  type ImageType,
  type Study,
} from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { Md5Hasher } from "./md5.js";
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-policy.js";
import { withStallTimeout } from "./stall-timeout.js";
import { errorText, uploadFile, type FileUploadState } from "./upload-file.js";
import { UploadQueue, cancellationError } from "./upload-queue.js";
import { UploadTargetBook, type UploadTargets } from "./upload-targets.js";

/** One image of the study being made; `id` is the caller's stable name for it (a form row, a soak file). */
export interface SessionFile {
  id: string;
  body: Blob;
  name: string;
  type: ImageType;
}

/**
 * An image of a study whose upload began before the page was reloaded (a saved draft). Those that arrived are
 * never sent again; the others wait at their index in the batch until their file is added again.
 */
export interface RestoredFile {
  id: string;
  index: number;
  name: string;
  size: number;
  type: ImageType;
  /** Its MD5 when it was hashed before the reload: the file added again must have the same, or it is another file. */
  md5: string | null;
  uploaded: boolean;
}

/** What the commit carries besides the images, read when the commit is sent. */
export interface StudyDetails {
  title: string;
  description?: string;
  labelOf(id: string): string;
}

export interface StudySessionEvents {
  /** The server-side batch this session's files are announced in (one per study), and one of its upload URLs. */
  onBatchCreated?(batchId: string, uploadUrl: string | null): void;
  /** The API gave this file its index in the batch (a saved draft needs it to resume after a reload). */
  onFileIndexed?(id: string, index: number): void;
  /** These files were added and are on their way (hashing, then uploading). */
  onUploadStarted?(ids: readonly string[]): void;
  onFileHashed?(id: string, md5: string): void;
  onFileProgress?(id: string, sentBytes: number): void;
  onFileState?(id: string, state: FileUploadState): void;
  onCommitStarted?(): void;
}

export interface StudySessionDeps {
  api: Pick<ApiClient, "createBatch" | "addBatchFiles" | "removeBatchFile" | "refreshBatch" | "commitStudy">;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  /** Uploads in flight at once (the pool); `setConcurrency` changes it later. */
  concurrency?: number;
  retry?: Partial<RetryOptions>;
  events?: StudySessionEvents;
  random?: () => number;
}

export interface CommitRequest {
  /** The study's images, in the study's order. Every one must have been added and not removed. */
  order: readonly string[];
  details: () => StudyDetails;
}

export type CommitOutcome =
  | { kind: "committed"; study: Study }
  /** Some uploads failed for good: nothing was committed; `retry` sends them again. */
  | { kind: "files-failed"; failedIds: string[] }
  /** The commit's verification refused these files (422): nothing was committed; `retry` sends them again. */
  | { kind: "refused"; message: string; problems: { id: string; problem: string }[] }
  | { kind: "error"; stage: "start" | "commit"; message: string }
  /** `cancelCommit` stopped the wait for the uploads; they go on. */
  | { kind: "cancelled" };

/** One added file and how far it got. */
interface TrackedFile {
  id: string;
  size: number;
  /** Null for a restored file until it is added again (or for good, once it arrived before the reload). */
  body: Blob | null;
  spec: CreateBatchRequest["files"][number];
  /** Its batch and index in it, once the API has announced it. */
  batchId: string | null;
  index: number | null;
  status: FileUploadState["status"];
  md5: Promise<string>;
  md5Value: string | null;
  sentBytes: number;
  /** Aborted when the file is removed or the session starts over: stops its hash and its uploads. */
  controller: AbortController;
}

/** Links closer than this to expiry are renewed before an attempt instead of waiting for a 403. */
const LINK_EXPIRY_MARGIN_MS = 30_000;
/** The API's Retry-After for a busy batch; three tries outlast a commit that is running (it waits up to 10 s itself). */
const COMMIT_BUSY_DELAY_MS = 2_000;
const COMMIT_ATTEMPTS = 3;

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
  /** Additions are announced one after another, so every file gets its index in the one batch. */
  let announcing: Promise<void> = Promise.resolve();
  /** Hashes run one at a time in the order files were added, so the first upload waits for one hash only. */
  let hashing: Promise<unknown> = Promise.resolve();
  /** Bumped when the session starts over: work of the earlier study must not touch the next one. */
  let generation = 0;
  let waitingCommit: AbortController | null = null;
  const changeListeners = new Set<() => void>();

  const isLive = (tracked: TrackedFile) => files.get(tracked.id) === tracked;

  const notifyChange = () => {
    for (const listener of [...changeListeners]) listener();
  };

  const nextChange = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        changeListeners.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      changeListeners.add(done);
      signal.addEventListener("abort", done, { once: true });
    });

  const setState = (tracked: TrackedFile, state: FileUploadState) => {
    if (!isLive(tracked)) return;
    tracked.status = state.status;
    events.onFileState?.(tracked.id, state);
    notifyChange();
  };

  const reportProgress = (tracked: TrackedFile, sentBytes: number) => {
    const clamped = Math.min(sentBytes, tracked.size);
    if (!isLive(tracked) || clamped <= tracked.sentBytes) return;
    tracked.sentBytes = clamped;
    events.onFileProgress?.(tracked.id, clamped);
  };

  const hash = (tracked: TrackedFile): Promise<string> => {
    const { signal } = tracked.controller;
    const md5 = hashing.then(async () => {
      signal.throwIfAborted();
      const value = await deps.hashMd5(tracked.body!, signal);
      tracked.md5Value = value;
      if (isLive(tracked)) events.onFileHashed?.(tracked.id, value);
      return value;
    });
    // One unreadable file must not stop the others; its own upload reports the failure. (This handler also keeps
    // the rejection of a file removed before its upload awaited the hash from going unobserved.)
    hashing = md5.catch(() => undefined);
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
    announcing = announcing.then(async () => {
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
    return announcing;
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
    const tracked: TrackedFile = {
      id: file.id,
      size: file.body.size,
      body: file.body,
      spec: { name: file.name, size: file.body.size, type: file.type },
      batchId: null,
      index: null,
      status: "queued",
      md5: Promise.resolve(""),
      md5Value: null,
      sentBytes: 0,
      controller: new AbortController(),
    };
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
        announcing = announcing
          .then(() => (oldBatch && oldIndex !== null ? deps.api.removeBatchFile(oldBatch, oldIndex) : undefined))
          .catch(() => undefined);
        void announce([tracked]);
      },
      // The upload reports the file that could not be read.
      () => upload(tracked),
    );
  };

  /**
   * Commits once; a 409 `commit_in_progress` (another commit of the batch, or an edit racing it) and a 503
   * `server_busy` (the instance verifies as many commits as it may) are asked again.
   */
  const sendCommit = async (request: CommitStudyRequest): Promise<Study> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.api.commitStudy(request);
      } catch (error) {
        const busy =
          error instanceof ApiRequestError && (error.code === "commit_in_progress" || error.code === "server_busy");
        if (!busy || attempt >= COMMIT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, COMMIT_BUSY_DELAY_MS));
      }
    }
  };

  const commitNow = async (tracked: readonly TrackedFile[], details: StudyDetails): Promise<CommitOutcome> => {
    events.onCommitStarted?.();
    // Additions and removals still on their way must reach the API first: the commit names the batch as it is.
    await announcing;
    const byIndex = new Map(tracked.map((t) => [t.index!, t]));
    try {
      const study = await sendCommit({
        batchId: batchId!,
        title: details.title.trim(),
        description: details.description?.trim() || undefined,
        elements: tracked.map((t) => ({
          index: t.index!,
          label: details.labelOf(t.id).trim(),
          md5: t.md5Value!,
        })),
      });
      startOver();
      return { kind: "committed", study };
    } catch (error) {
      const refused = error instanceof ApiRequestError ? error.files : [];
      const problems = refused.flatMap(({ index, problem }) => {
        const refusedFile = byIndex.get(index);
        return refusedFile ? [{ refusedFile, problem }] : [];
      });
      if (problems.length === 0) return { kind: "error", stage: "commit", message: errorText(error) };
      // The server deleted what it refused: those files must be sent again, with a fresh link.
      for (const { refusedFile, problem } of problems) {
        targets?.invalidate(refusedFile.index!);
        setState(refusedFile, { status: "failed", reason: problem });
      }
      return {
        kind: "refused",
        message: errorText(error),
        problems: problems.map(({ refusedFile, problem }) => ({ id: refusedFile.id, problem })),
      };
    }
  };

  /** Forgets the study: stops its hashes and uploads; the next file added starts a new batch. */
  const startOver = () => {
    generation++;
    for (const tracked of files.values()) tracked.controller.abort(cancellationError());
    files.clear();
    batchId = null;
    targets = null;
    waitingCommit?.abort();
    waitingCommit = null;
    notifyChange();
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
      for (const file of restored) {
        const arrived = file.uploaded && file.md5 !== null;
        files.set(file.id, {
          id: file.id,
          size: file.size,
          body: null,
          spec: { name: file.name, size: file.size, type: file.type },
          batchId: restoredBatchId,
          index: file.index,
          status: arrived ? "done" : "queued",
          md5: Promise.resolve(file.md5 ?? ""),
          md5Value: file.md5,
          sentBytes: arrived ? file.size : 0,
          controller: new AbortController(),
        });
      }
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
      notifyChange();
      // In line with the announcements: an image removed while being announced has its index after it, and an
      // addition that follows must not reach the API before the removal made room for it.
      const removal = announcing.then(async () => {
        if (tracked.batchId !== null && tracked.index !== null) {
          await deps.api.removeBatchFile(tracked.batchId, tracked.index);
        }
      });
      announcing = removal.catch(() => undefined);
      await removal;
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

    /**
     * Commits the study once every one of its images has arrived: at once when they all have, else after the
     * last upload. One API request either way. Nothing is committed while an image failed.
     */
    async commit(request: CommitRequest): Promise<CommitOutcome> {
      waitingCommit?.abort();
      const waiting = new AbortController();
      waitingCommit = waiting;
      try {
        for (;;) {
          if (waiting.signal.aborted) return { kind: "cancelled" };
          const tracked = request.order.map((id) => files.get(id));
          const missing = request.order.filter((_, i) => !tracked[i]);
          if (missing.length > 0 || tracked.length === 0) {
            return { kind: "error", stage: "start", message: "the study's images are not all part of this upload" };
          }
          const live = tracked as TrackedFile[];
          const waitingForFiles = live.filter((t) => t.body === null && t.status !== "done").length;
          if (waitingForFiles > 0) {
            return { kind: "error", stage: "start", message: `${waitingForFiles} of the images must be added again` };
          }
          const failedIds = live.filter((t) => t.status === "failed").map((t) => t.id);
          if (failedIds.length > 0) return { kind: "files-failed", failedIds };
          if (live.every((t) => t.status === "done" && t.md5Value !== null)) {
            waitingCommit = null;
            return await commitNow(live, request.details());
          }
          await nextChange(waiting.signal);
        }
      } finally {
        if (waitingCommit === waiting) waitingCommit = null;
      }
    },

    /** Stops waiting for the uploads before a commit; they go on. False when no commit was waiting. */
    cancelCommit(): boolean {
      if (!waitingCommit) return false;
      waitingCommit.abort();
      waitingCommit = null;
      return true;
    },

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
