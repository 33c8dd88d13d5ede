import type { ApiClient, ImageType } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { DigestHasher, Md5Hasher } from "./md5.js";
import type { NetworkProbe } from "./network-watch.js";
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
  /**
   * A file sent in blocks: its block size and the blocks storage reported holding (`GET /api/batches/:id`). Once the
   * file is added again and hashes to the same MD5s, those blocks are not sent again.
   */
  blocks?: {
    blockBytes: number;
    reported: readonly { block: number; md5: string }[];
    /** Every block's MD5 as the draft kept it: the file added again is then checked by its first and last block. */
    md5s?: readonly string[];
  } | null;
}

/** When files go in blocks and how large a block is before the link was measured (the API's config). */
export interface BlockSettings {
  thresholdBytes: number;
  blockBytes: number;
}

/** What the commit carries besides the images, read when the commit is sent. */
export interface StudyDetails {
  title: string;
  description?: string;
  labelOf(id: string): string;
}

export interface StudySessionDeps {
  api: Pick<
    ApiClient,
    "createBatch" | "addBatchFiles" | "removeBatchFile" | "refreshBatch" | "commitStudy" | "reuseUpload"
  >;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  /** Hashes a file and its blocks in one read (default: on this thread, chunk by chunk). */
  hashDigest?: DigestHasher;
  /** Files larger than the threshold go in blocks; absent or null: every file is one Put Blob. */
  blocks?: BlockSettings | null;
  /**
   * Tells whether storage answers: a request that got no answer asks it, and while it says no, uploads wait (and
   * count no failure) until it says yes. Absent: every failure counts.
   */
  probe?: NetworkProbe;
  /**
   * Why these bytes are not the image their type says (a renamed PDF), or null: checked before a file is hashed
   * or sent. Files are announced while they are checked; one that fails leaves the batch unsent.
   */
  inspect?: (body: Blob, type: ImageType) => Promise<string | null>;
  /** Uploads in flight at once (the pool); `setConcurrency` changes it later. */
  concurrency?: number;
  /**
   * The pool's size follows what the link delivers (adaptive-concurrency.ts), from 6 up to `concurrency` (or what
   * `setConcurrency` allows later); otherwise it is exactly that.
   */
  adaptiveConcurrency?: boolean;
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
  /** "offline" while storage cannot be reached: uploads wait and go on by themselves when it is back. */
  network: "online" | "offline";
}

/** What a kept draft saves of the uploads: the batch and where each announced file got; restored with `restore`. */
export interface KeptUpload {
  batchId: string | null;
  files: {
    id: string;
    index: number;
    md5: string | null;
    uploaded: boolean;
    /** A file sent in blocks: its block size, each block's MD5 and the blocks storage held. */
    blocks?: { blockBytes: number; md5s: readonly string[]; done: number[] };
  }[];
}

export interface CommitRequest {
  /** The study's images, in the study's order. Every one must have been added and not removed. */
  order: readonly string[];
  details: () => StudyDetails;
}
