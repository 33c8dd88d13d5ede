import {
  ApiRequestError,
  type ApiClient,
  type CreateBatchRequest,
  type CreateBatchResponse,
  type ImageType,
  type Study,
} from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { Md5Hasher } from "./md5.js";
import type { RetryOptions } from "./retry-policy.js";
import { uploadBatch } from "./upload-batch.js";
import { errorText, type FileUploadState } from "./upload-file.js";
import type { UploadTargets } from "./upload-targets.js";

/** One image of the study being made; `id` is the caller's stable name for it (a form row, a soak file). */
export interface SessionFile {
  id: string;
  body: Blob;
  name: string;
  type: ImageType;
}

/** What the commit carries besides the images, read when the commit is sent (the form stays editable). */
export interface StudyDetails {
  title: string;
  description?: string;
  labelOf(id: string): string;
}

export interface StudySessionEvents {
  /** The server-side batch the files were announced in; file `fileIds[i]` is the batch's index i. */
  onBatchCreated?(batchId: string, fileIds: readonly string[]): void;
  onUploadStarted?(ids: readonly string[]): void;
  onFileHashed?(id: string, md5: string): void;
  onFileProgress?(id: string, sentBytes: number): void;
  onFileState?(id: string, state: FileUploadState): void;
  onCommitStarted?(): void;
}

export interface StudySessionDeps {
  api: Pick<ApiClient, "createBatch" | "refreshBatch" | "commitStudy">;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  retry?: Partial<RetryOptions>;
  events?: StudySessionEvents;
}

export interface SubmitRequest {
  /** Every image of the study, in order. */
  files: readonly SessionFile[];
  /** Which of the files not yet uploaded to send this time (a row's Retry); all of them when omitted. */
  only?: (id: string) => boolean;
  concurrency: number;
  details: () => StudyDetails;
}

export type SubmitOutcome =
  | { kind: "committed"; study: Study }
  /** Some uploads failed for good: nothing was committed, the failed files can be sent again. */
  | { kind: "files-failed"; failedIds: string[] }
  /** The commit's verification refused these files (422): nothing was committed, they can be sent again. */
  | { kind: "refused"; message: string; problems: { id: string; problem: string }[] }
  /** Every chosen file arrived, but others of the study have not: nothing to commit yet. */
  | { kind: "incomplete" }
  | { kind: "error"; stage: "start" | "commit"; message: string }
  | { kind: "cancelled" };

interface Batch {
  id: string;
  fileIds: readonly string[];
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

const batchRequest = (files: readonly SessionFile[]): CreateBatchRequest => ({
  files: files.map((file) => ({ name: file.name, size: file.body.size, type: file.type })),
});

/**
 * The create → upload → refresh → commit flow of one study, without a UI: the web form's store and the soak's
 * simulated researchers both drive it. It remembers the batch, which files arrived and their MD5s, so a later
 * submit (Retry failed, a row's Retry, a commit that failed) sends only what is missing. A submit with other
 * files than the batch's starts a new batch.
 */
export function createStudySession(deps: StudySessionDeps) {
  const events = deps.events ?? {};
  let batch: Batch | null = null;
  const uploaded = new Set<string>();
  const failed = new Map<string, string>();
  const sentById = new Map<string, number>();
  /** An MD5 belongs to the file, not the batch: kept when the files change. */
  const md5ById = new Map<string, string>();
  let runNumber = 0;
  let running: AbortController | null = null;
  /** A batch asked for ahead of the submit, keyed by the exact files it covers; usable while its links are fresh. */
  let prepared: { fileIds: readonly string[]; usableUntil: number; batch: Promise<CreateBatchResponse | null> } | null =
    null;

  const startBatch = (fileIds: readonly string[], created: CreateBatchResponse) => {
    batch = { id: created.batchId, fileIds };
    uploaded.clear();
    failed.clear();
    sentById.clear();
    events.onBatchCreated?.(created.batchId, fileIds);
  };

  const takePrepared = (fileIds: readonly string[]) => {
    const candidate = prepared;
    prepared = null;
    if (!candidate || !sameIds(candidate.fileIds, fileIds) || Date.now() > candidate.usableUntil) return null;
    return candidate.batch;
  };

  const commit = async (current: Batch, details: StudyDetails): Promise<SubmitOutcome> => {
    events.onCommitStarted?.();
    try {
      const study = await deps.api.commitStudy({
        batchId: current.id,
        title: details.title.trim(),
        description: details.description?.trim() || undefined,
        elements: current.fileIds.map((id, index) => ({
          index,
          label: details.labelOf(id).trim(),
          md5: md5ById.get(id)!,
        })),
      });
      batch = null;
      return { kind: "committed", study };
    } catch (error) {
      const refused = error instanceof ApiRequestError ? error.files : [];
      const problems = refused.flatMap(({ index, problem }) => {
        const id = current.fileIds[index];
        return id === undefined ? [] : [{ id, problem }];
      });
      if (problems.length === 0) return { kind: "error", stage: "commit", message: errorText(error) };
      // The server deleted what it refused: those files must be sent again.
      for (const { id, problem } of problems) {
        uploaded.delete(id);
        failed.set(id, problem);
        events.onFileState?.(id, { status: "failed", reason: problem });
      }
      return { kind: "refused", message: errorText(error), problems };
    }
  };

  return {
    /** Asks for a batch for these files now, so that a submit of the same files starts uploading at once. */
    prepare(files: readonly SessionFile[], sasTtlSeconds: number): void {
      const fileIds = files.map((f) => f.id);
      if (batch && sameIds(batch.fileIds, fileIds)) return;
      if (prepared && sameIds(prepared.fileIds, fileIds)) return;
      // A failed early request costs nothing: the submit asks again.
      const request = deps.api.createBatch(batchRequest(files)).catch(() => null);
      prepared = { fileIds, usableUntil: Date.now() + (sasTtlSeconds * 1000) / 2, batch: request };
    },

    /** Uploads every chosen file that has not arrived, then commits once the whole study has. */
    async submit(request: SubmitRequest): Promise<SubmitOutcome> {
      running?.abort();
      const run = ++runNumber;
      const controller = new AbortController();
      running = controller;
      const isCurrent = () => run === runNumber && !controller.signal.aborted;
      const fileIds = request.files.map((f) => f.id);
      const chosen = request.only ?? (() => true);

      try {
        let targets: UploadTargets;
        const pending = () => request.files.filter((f) => !uploaded.has(f.id) && chosen(f.id));
        if (batch && sameIds(batch.fileIds, fileIds)) {
          const ids = batch.fileIds;
          const indexes = pending().map((f) => ids.indexOf(f.id));
          // Earlier links may have expired or point at blobs the commit deleted: always start from fresh ones.
          targets =
            indexes.length > 0
              ? await deps.api.refreshBatch(batch.id, indexes)
              : { expiresAt: new Date().toISOString(), files: [] };
        } else {
          const created = (await takePrepared(fileIds)) ?? (await deps.api.createBatch(batchRequest(request.files)));
          // Cancelled meanwhile: the files may have changed since, so this batch is not theirs.
          if (!isCurrent()) return { kind: "cancelled" };
          startBatch(fileIds, created);
          targets = created;
        }
        if (!isCurrent()) return { kind: "cancelled" };

        const current = batch!;
        const sending = pending();
        for (const file of sending) failed.delete(file.id);
        if (sending.length > 0) events.onUploadStarted?.(sending.map((f) => f.id));
        const idAt = (index: number) => current.fileIds[index]!;
        const result = await uploadBatch({
          files: sending.map((file) => ({
            index: current.fileIds.indexOf(file.id),
            body: file.body,
            md5: md5ById.get(file.id),
            sentBytes: sentById.get(file.id),
          })),
          targets,
          refreshTargets: (indexes) => deps.api.refreshBatch(current.id, indexes),
          concurrency: request.concurrency,
          transport: deps.transport,
          hashMd5: deps.hashMd5,
          signal: controller.signal,
          retry: deps.retry,
          onFileHashed: (index, md5) => {
            md5ById.set(idAt(index), md5);
            if (isCurrent()) events.onFileHashed?.(idAt(index), md5);
          },
          onFileProgress: (index, sent) => {
            sentById.set(idAt(index), sent);
            if (isCurrent()) events.onFileProgress?.(idAt(index), sent);
          },
          onFileState: (index, state) => {
            if (!isCurrent()) return;
            if (state.status === "done") uploaded.add(idAt(index));
            if (state.status === "failed") failed.set(idAt(index), state.reason);
            events.onFileState?.(idAt(index), state);
          },
        });
        if (!isCurrent() || result.cancelled) return { kind: "cancelled" };

        const failedIds = current.fileIds.filter((id) => failed.has(id));
        if (failedIds.length > 0) return { kind: "files-failed", failedIds };
        if (!current.fileIds.every((id) => uploaded.has(id))) return { kind: "incomplete" };
        return await commit(current, request.details());
      } catch (error) {
        if (!isCurrent()) return { kind: "cancelled" };
        return { kind: "error", stage: "start", message: errorText(error) };
      } finally {
        if (running === controller) running = null;
      }
    },

    /** Stops the running submit: uploads in flight are aborted, nothing more is sent, nothing is committed. */
    cancel(): boolean {
      if (!running) return false;
      running.abort();
      running = null;
      return true;
    },
  };
}

export type StudySession = ReturnType<typeof createStudySession>;
