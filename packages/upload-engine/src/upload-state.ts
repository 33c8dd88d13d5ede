import type { ImageType, Study } from "@study-uploader/shared";
import type { AttemptVerdict } from "./retry-policy.js";

/** What the API is told of a file; its bytes stay with the effect runner. */
export interface FileSpec {
  name: string;
  size: number;
  type: ImageType;
}

/**
 * How far one file of a study got. `index` is its place in the batch once the API announced it, `md5` its hash
 * once computed; a state that needs them has them, so the commit never guesses.
 */
export type FileState =
  /** Restored after a reload, not arrived: waits for its bytes at its index. */
  | { kind: "waiting-for-bytes"; index: number; md5: string | null }
  /** Its head is read to see it is the image its type says; `expectedMd5` is a restored file's old hash. */
  | { kind: "checking"; index: number | null; expectedMd5: string | null }
  | { kind: "hashing"; index: number | null; expectedMd5: string | null }
  /** Hashed; waits for its index in the batch. */
  | { kind: "announcing"; md5: string }
  /** Waits for a pool slot; `attempt` is the attempt it will make, `renewLink` after storage said the link expired. */
  | {
      kind: "queued";
      index: number;
      md5: string;
      attempt: number;
      sent: number;
      /** Why the last attempt did not do (null before the first). */
      reason: string | null;
      renewLink: boolean;
      /** Attempts that kept new blocks: they do not count toward giving up. */
      spared?: number;
    }
  | {
      kind: "uploading";
      index: number;
      md5: string;
      attempt: number;
      sent: number;
      reason: string | null;
      spared?: number;
    }
  /** Held by the researcher (Pause); Resume sends it again, a file in blocks only the blocks storage lacks. */
  | { kind: "paused"; index: number; md5: string; attempt: number; sent: number }
  /** Waits until `at` (ms, the session's clock) before its next attempt. */
  | {
      kind: "retrying";
      index: number;
      md5: string;
      attempt: number;
      sent: number;
      reason: string;
      at: number;
      spared?: number;
    }
  /** In storage; `reused`: storage copied an image its owner already had, and no byte of it was sent. */
  | { kind: "uploaded"; index: number; md5: string; reused?: boolean }
  | { kind: "failed"; index: number | null; md5: string | null; sent: number; reason: string }
  /** Its bytes are not the image its type says: never sent. */
  | { kind: "rejected"; index: number | null; problem: string };

export type FileKind = FileState["kind"];
export type FileIn<K extends FileKind> = Extract<FileState, { kind: K }>;

/**
 * Which state may follow which: `moveTo` accepts only these, so an illegal transition does not type-check. A file
 * leaves every state by removal (it leaves the session), which is not a state. An uploaded file fails only when the
 * commit's verification refuses it.
 */
export const NEXT_STATES = {
  "waiting-for-bytes": ["checking"],
  checking: ["checking", "hashing", "rejected", "failed"],
  hashing: ["hashing", "announcing", "queued", "failed", "paused"],
  announcing: ["queued", "failed", "paused"],
  queued: ["uploading", "paused"],
  uploading: ["uploading", "queued", "retrying", "uploaded", "failed", "paused"],
  retrying: ["queued", "paused"],
  paused: ["queued"],
  uploaded: ["failed"],
  failed: ["failed", "rejected", "waiting-for-bytes", "hashing", "announcing", "queued", "paused"],
  rejected: [],
} as const satisfies { [K in FileKind]: readonly FileKind[] };

export type NextKind<K extends FileKind> = (typeof NEXT_STATES)[K][number];

/** A file sent in blocks: its block size, each block's MD5 once hashed, and the blocks storage holds. */
export interface BlockProgress {
  blockBytes: number;
  /** In block order; empty until the file is hashed (a restored file's are the draft's until it is hashed again). */
  md5s: readonly string[];
  /** Blocks storage holds for it (staged, not yet listed), by number. */
  done: ReadonlySet<number>;
  /** After a reload: the blocks storage reported; each counts as done once the file hashes to the same block MD5. */
  reported: readonly { block: number; md5: string }[];
}

/** A file of the session: `key` names this incarnation (an id removed and added again is another file). */
export interface FileEntry {
  key: number;
  id: string;
  spec: FileSpec;
  /** Whether the runner holds its bytes (a restored file has none until it is added again). */
  bytes: boolean;
  state: FileState;
  /** Set for a file sent in blocks once its block size is chosen (when it is hashed, or restored). */
  blocks: BlockProgress | null;
  /** The researcher paused it: it is not sent until resumed (hashing and announcing go on). */
  paused: boolean;
}

/** The commit of the study; `waiting` asked while uploads go on, `sending` the request is out. */
export type CommitState =
  | { kind: "idle" }
  | { kind: "waiting"; ticket: number; order: readonly string[] }
  | { kind: "sending"; ticket: number; order: readonly string[] }
  | { kind: "committed"; study: Study }
  | { kind: "refused"; message: string; problems: { id: string; problem: string }[] };

export type CommitOutcome =
  | { kind: "committed"; study: Study }
  /** Some uploads failed for good: nothing was committed; `retry` sends them again. */
  | { kind: "files-failed"; failedIds: string[] }
  /** The commit's verification refused these files (422): nothing was committed; `retry` sends them again. */
  | { kind: "refused"; message: string; problems: { id: string; problem: string }[] }
  | { kind: "error"; stage: "start" | "commit"; message: string }
  /** `cancelCommit` stopped the wait for the uploads; they go on. */
  | { kind: "cancelled" };

/** Calls to the API, in order: additions and removals one after another, so each file gets its index. */
export type ApiCall = { kind: "announce" } | { kind: "remove"; index: number };

export interface SessionState {
  /** Bumped when the session starts over: answers to an earlier study's requests are ignored. */
  generation: number;
  nextKey: number;
  batchId: string | null;
  /** One upload link of the batch: its origin's protocol (HTTP/2 or not) decides the pool's size. */
  uploadUrl: string | null;
  /** In the order files were added. */
  files: ReadonlyMap<number, FileEntry>;
  apiQueue: readonly ApiCall[];
  /** The API call out now: for an announcement, the files it names, in order. */
  apiBusy: null | { kind: "announce"; keys: readonly number[] } | { kind: "remove" };
  commit: CommitState;
}

/** What the pure transition asks the effect runner to do; each result comes back as an event. */
export type Effect =
  | { kind: "check"; key: number }
  | { kind: "hash"; key: number }
  | { kind: "announce"; batchId: string | null; files: readonly { key: number; spec: FileSpec }[] }
  | { kind: "remove"; batchId: string; index: number }
  | { kind: "put"; key: number; index: number; md5: string; attempt: number; renewLink: boolean }
  /** Stops the file's requests in flight (paused); its bytes and finished blocks are kept. */
  | { kind: "halt"; key: number }
  | { kind: "wait"; key: number; attempt: number; at: number }
  | { kind: "abort"; key: number }
  | { kind: "forget-link"; index: number }
  | { kind: "commit"; ticket: number; batchId: string; elements: readonly { id: string; index: number; md5: string }[] }
  | { kind: "settle-commit"; ticket: number; outcome: CommitOutcome };

export interface AddedFile {
  id: string;
  spec: FileSpec;
}

export interface RestoredEntry {
  id: string;
  spec: FileSpec;
  index: number;
  md5: string | null;
  uploaded: boolean;
  /** A file sent in blocks: its block size, the blocks storage reported holding, and the block MD5s kept. */
  blocks: {
    blockBytes: number;
    reported: readonly { block: number; md5: string }[];
    md5s?: readonly string[];
  } | null;
}

export type CommitAnswer =
  | { kind: "committed"; study: Study }
  | { kind: "refused"; message: string; files: readonly { index: number; problem: string }[] }
  | { kind: "error"; message: string };

/** What happens to a session: the caller's requests, then the effects' results (tagged with their generation). */
export type SessionEvent =
  /** New files, or the bytes of restored files waiting for them (same id). */
  | { kind: "add"; files: readonly AddedFile[] }
  | { kind: "restore"; batchId: string; files: readonly RestoredEntry[] }
  | { kind: "remove"; id: string }
  | { kind: "retry"; ids: readonly string[] }
  | { kind: "pause"; ids: readonly string[] }
  | { kind: "resume"; ids: readonly string[] }
  | { kind: "commit"; ticket: number; order: readonly string[] }
  | { kind: "cancel-commit" }
  | { kind: "start-over" }
  | { kind: "checked"; generation: number; key: number; problem: string | null }
  | {
      kind: "hashed";
      generation: number;
      key: number;
      md5: string;
      /** A file sent in blocks: the block size it was hashed with and each block's MD5 (absent: sent whole). */
      blocks?: { blockBytes: number; md5s: readonly string[] } | null;
    }
  | { kind: "unreadable"; generation: number; key: number; reason: string }
  | {
      kind: "announced";
      generation: number;
      batchId: string;
      indexes: readonly number[];
      uploadUrl: string | null;
    }
  | { kind: "announce-failed"; generation: number; reason: string }
  | { kind: "removed"; generation: number }
  | { kind: "put-started"; generation: number; key: number; attempt: number }
  | { kind: "progress"; generation: number; key: number; sent: number }
  /** A file sent while it is hashed has its MD5s now (until then its `md5` is "" and its block MD5s are ""). */
  | { kind: "digested"; generation: number; key: number; md5: string; md5s: readonly string[] }
  /** Storage holds this block of the file now. */
  | { kind: "block-done"; generation: number; key: number; block: number }
  | { kind: "put-ended"; generation: number; key: number; attempt: number; verdict: AttemptVerdict }
  | { kind: "retry-due"; generation: number; key: number; attempt: number }
  | { kind: "commit-answered"; generation: number; answer: CommitAnswer };

/** What a transition needs besides the state: the attempt limit, the time and the backoff (with its jitter). */
export interface TransitionContext {
  maxAttempts: number;
  backoffMs: (failures: number) => number;
  now: number;
}

export const emptySession = (generation = 0): SessionState => ({
  generation,
  nextKey: 1,
  batchId: null,
  uploadUrl: null,
  files: new Map(),
  apiQueue: [],
  apiBusy: null,
  commit: { kind: "idle" },
});
