import type { ApiClient, ImageType } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { Md5Hasher } from "./md5.js";
import type { RetryOptions } from "./retry-policy.js";
import type { CommitState, FileEntry } from "./upload-state.js";

export type { CommitOutcome, CommitState, FileEntry, FileSpec, FileState } from "./upload-state.js";

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

export interface StudySessionDeps {
  api: Pick<ApiClient, "createBatch" | "addBatchFiles" | "removeBatchFile" | "refreshBatch" | "commitStudy">;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  /**
   * Why these bytes are not the image their type says (a renamed PDF), or null: checked before a file is hashed
   * or sent. Files are announced while they are checked; one that fails leaves the batch unsent.
   */
  inspect?: (body: Blob, type: ImageType) => Promise<string | null>;
  /** Uploads in flight at once (the pool); `setConcurrency` changes it later. */
  concurrency?: number;
  retry?: Partial<RetryOptions>;
  random?: () => number;
  /** A monotonic clock (ms) for retry deadlines and the transfer rate. */
  now?: () => number;
  /** When subscribers hear of changes: a burst of progress is one notification (the browser: once per frame). */
  scheduleNotify?: (notify: () => void) => void;
}

/** The session as a subscriber sees it: immutable, a new object after every change (`useSyncExternalStore`). */
export interface UploadSnapshot {
  /** The server-side batch the files are announced in, once the first announcement was answered. */
  batchId: string | null;
  /** One upload link of the batch once it has one: its origin's protocol decides the pool's size. */
  uploadUrl: string | null;
  /** Every file by its id; an entry object changes only when that file does. */
  files: Readonly<Record<string, FileEntry>>;
  commit: CommitState;
  /** Bytes per second over the last seconds while files are sending; null when nothing was measured yet. */
  bytesPerSecond: number | null;
}

/** What a kept draft saves of the uploads: the batch and where each announced file got; restored with `restore`. */
export interface KeptUpload {
  batchId: string | null;
  files: { id: string; index: number; md5: string | null; uploaded: boolean }[];
}

export interface CommitRequest {
  /** The study's images, in the study's order. Every one must have been added and not removed. */
  order: readonly string[];
  details: () => StudyDetails;
}
