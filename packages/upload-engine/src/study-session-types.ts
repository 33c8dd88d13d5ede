import type { ApiClient, ImageType, Study } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { Md5Hasher } from "./md5.js";
import type { RetryOptions } from "./retry-policy.js";
import type { FileUploadState } from "./upload-file.js";

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
