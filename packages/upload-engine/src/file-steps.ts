import type { AttemptVerdict } from "./retry-policy.js";
import { hashedBlocks, keptBytesOf } from "./block-steps.js";
import type {
  ApiCall,
  BlockProgress,
  Effect,
  FileEntry,
  FileIn,
  FileKind,
  FileState,
  NextKind,
  TransitionContext,
} from "./upload-state.js";

/** What one event does to one file: its next state, what to do for it, and API calls to queue. */
export interface FileChange {
  state: FileState;
  effects?: Effect[];
  calls?: ApiCall[];
  /** Calls that go before every call already queued (a removal that makes room for the next addition). */
  urgentCalls?: ApiCall[];
  /** The file's blocks, when they change. */
  blocks?: BlockProgress | null;
}

export { keptBytesOf } from "./block-steps.js";

/** The only way a file changes state: `to` must be one `NEXT_STATES` allows after `from`'s kind. */
export const moveTo = <K extends FileKind>(_from: FileIn<K>, to: FileIn<NextKind<K>>): FileState => to;

export const indexOf = (state: FileState): number | null => ("index" in state ? state.index : null);

/** Bytes of a file that reached storage: all of an arrived one, its kept blocks, and never fewer across retries. */
export const sentBytesOf = (entry: FileEntry): number =>
  entry.state.kind === "uploaded"
    ? entry.spec.size
    : Math.max("sent" in entry.state ? entry.state.sent : 0, keptBytesOf(entry));

/** Where a file resumes from: the blocks storage holds; a file sent whole starts again from its first byte. */
const resumeBytesOf = (entry: FileEntry): number => keptBytesOf(entry);

/** Not yet announced, and still meant to be sent. */
export const needsAnnouncing = (state: FileState) =>
  state.kind === "announcing" || ((state.kind === "checking" || state.kind === "hashing") && state.index === null);

const queued = (
  key: number,
  from: FileIn<"hashing" | "announcing" | "failed" | "retrying" | "uploading" | "paused">,
  next: { index: number; md5: string; attempt: number; reason: string | null; renewLink?: boolean; spared?: number },
  sent = "sent" in from ? from.sent : 0,
): FileChange => {
  const { index, md5, attempt, reason, renewLink = false, spared } = next;
  return {
    state: moveTo(from, { kind: "queued", index, md5, attempt, sent, reason, renewLink, spared }),
    effects: [{ kind: "put", key, index, md5, attempt, renewLink }],
  };
};

/** A paused file that would be queued is held instead: nothing is sent until it is resumed. */
export function heldIfPaused(entry: FileEntry, change: FileChange | null): FileChange | null {
  if (!change || !entry.paused || change.state.kind !== "queued") return change;
  const { index, md5, attempt } = change.state;
  const held = { kind: "paused", index, md5, attempt, sent: resumeBytesOf(entry) } as const;
  return { ...change, state: held, effects: change.effects?.filter((e) => e.kind !== "put") };
}

/** Pause: a file on its way to storage stops now and keeps what storage holds. */
export function paused(entry: FileEntry): FileChange | null {
  const { key, state } = entry;
  if (state.kind !== "queued" && state.kind !== "uploading" && state.kind !== "retrying") return null;
  const { index, md5, attempt } = state;
  return {
    state: moveTo(state, { kind: "paused", index, md5, attempt, sent: resumeBytesOf(entry) }),
    effects: [{ kind: "halt", key }],
  };
}

/** Resume: a paused file is sent again, with a new attempt (the paused one's answers are ignored). */
export function resumed(entry: FileEntry): FileChange | null {
  const { key, state } = entry;
  if (state.kind !== "paused") return null;
  return queued(key, state, { index: state.index, md5: state.md5, attempt: state.attempt + 1, reason: null });
}

const rejected = (from: FileIn<"checking" | "failed">, problem: string): FileChange => ({
  state: moveTo(from, { kind: "rejected", index: from.index, problem }),
  calls: from.index === null ? [] : [{ kind: "remove", index: from.index }],
});

export function checked({ key, state }: FileEntry, problem: string | null): FileChange | null {
  if (state.kind === "checking") {
    if (problem !== null) return rejected(state, problem);
    return {
      state: moveTo(state, { kind: "hashing", index: state.index, expectedMd5: state.expectedMd5 }),
      effects: [{ kind: "hash", key }],
    };
  }
  // Its announcement failed while it was checked: a file that is no image is still not one.
  return state.kind === "failed" && problem !== null ? rejected(state, problem) : null;
}

export function hashed(
  entry: FileEntry,
  md5: string,
  digest: { blockBytes: number; md5s: readonly string[] } | null = null,
): FileChange | null {
  const { key, state } = entry;
  const blocks = hashedBlocks(entry, digest);
  if (state.kind === "failed") return { state: moveTo(state, { ...state, md5 }), blocks };
  if (state.kind !== "hashing") return null;
  if (state.index === null) return { state: moveTo(state, { kind: "announcing", md5 }), blocks };
  if (state.expectedMd5 !== null && state.expectedMd5 !== md5) {
    // Another file under the name of one hashed before the reload: its old index goes, it joins as a new one.
    return {
      state: moveTo(state, { kind: "announcing", md5 }),
      calls: [{ kind: "remove", index: state.index }, { kind: "announce" }],
      blocks: blocks && { ...blocks, done: new Set() },
    };
  }
  const kept = keptBytesOf({ blocks, spec: entry.spec });
  return { ...queued(key, state, { index: state.index, md5, attempt: 1, reason: null }, kept), blocks };
}

export function unreadable({ state }: FileEntry, reason: string): FileChange | null {
  if (state.kind !== "hashing") return null;
  const failed = {
    kind: "failed",
    index: state.index,
    md5: null,
    sent: 0,
    reason: `could not read the file (${reason})`,
  } as const;
  return { state: moveTo(state, failed) };
}

export function announcedAt(entry: FileEntry, index: number): FileChange | null {
  const { key, state } = entry;
  switch (state.kind) {
    case "checking":
    case "hashing":
    case "failed":
      return state.index === null ? { state: moveTo(state, { ...state, index }) } : null;
    case "announcing":
      return queued(key, state, { index, md5: state.md5, attempt: 1, reason: null }, resumeBytesOf(entry));
    case "rejected":
      return { state, urgentCalls: [{ kind: "remove", index }] };
    default:
      return null;
  }
}

export function announceFailed({ state }: FileEntry, reason: string): FileChange | null {
  if (state.kind !== "announcing" && state.kind !== "checking" && state.kind !== "hashing") return null;
  if (state.kind !== "announcing" && state.index !== null) return null;
  const md5 = state.kind === "announcing" ? state.md5 : null;
  return {
    state: moveTo(state, {
      kind: "failed",
      index: null,
      md5,
      sent: 0,
      reason: `could not start the upload (${reason})`,
    }),
  };
}

export function putStarted({ state }: FileEntry, attempt: number): FileChange | null {
  if (state.kind !== "queued" || state.attempt !== attempt) return null;
  const { index, md5, sent, reason, spared } = state;
  return { state: moveTo(state, { kind: "uploading", index, md5, attempt, sent, reason, spared }) };
}

/** Progress never goes back, also across retries, and never past the file's size. */
export function progressed({ spec, state }: FileEntry, sent: number): FileChange | null {
  if (state.kind !== "uploading" || sent <= state.sent) return null;
  return { state: moveTo(state, { ...state, sent: Math.min(sent, spec.size) }) };
}

/** After a PUT: done, tried again at once with a fresh link, after a backoff, or failed for good. */
export function putEnded(
  entry: FileEntry,
  attempt: number,
  verdict: AttemptVerdict,
  context: TransitionContext,
): FileChange | null {
  const { key, state } = entry;
  if (state.kind !== "uploading" || state.attempt !== attempt) return null;
  const { index, md5 } = state;
  // A file in blocks shows what storage holds; a file sent whole keeps its furthest progress.
  const sent = entry.blocks ? resumeBytesOf(entry) : state.sent;
  const failed = (reason: string): FileChange => ({
    state: moveTo(state, { kind: "failed", index, md5, sent, reason }),
  });
  switch (verdict.kind) {
    case "uploaded":
    case "already-exists":
      return { state: moveTo(state, { kind: "uploaded", index, md5 }) };
    case "reused":
      return { state: moveTo(state, { kind: "uploaded", index, md5, reused: true }) };
    case "cancelled":
      return null;
    case "fatal":
      return failed(verdict.reason);
    case "refresh":
    case "retry": {
      const { reason } = verdict;
      const spared = (state.spared ?? 0) + (verdict.kind === "retry" && verdict.progressed ? 1 : 0);
      const failures = attempt - spared;
      if (failures >= context.maxAttempts) return failed(`gave up after ${failures} attempts: ${reason}`);
      if (verdict.kind === "refresh")
        return queued(key, state, { index, md5, attempt: attempt + 1, reason, renewLink: true, spared }, sent);
      const at = context.now + context.backoffMs(Math.max(1, failures));
      return {
        state: moveTo(state, { kind: "retrying", index, md5, attempt: attempt + 1, sent, reason, at, spared }),
        effects: [{ kind: "wait", key, attempt: attempt + 1, at }],
      };
    }
  }
}

export function retryDue({ key, state }: FileEntry, attempt: number): FileChange | null {
  if (state.kind !== "retrying" || state.attempt !== attempt) return null;
  const { index, md5, reason, spared } = state;
  return queued(key, state, { index, md5, attempt, reason, spared });
}

/** "Retry failed": a failed file goes back as far as it must (hash, announce or send); arrived files never. */
export function retried(entry: FileEntry): FileChange | null {
  const { key, bytes, state } = entry;
  if (state.kind !== "failed") return null;
  const { index, md5 } = state;
  if (!bytes) {
    // A restored file the commit refused: its bytes must be added again.
    return index === null ? null : { state: moveTo(state, { kind: "waiting-for-bytes", index, md5: null }) };
  }
  // Not hashed, or a large file whose hash stopped half-way (its MD5 is still ""): hashed again.
  if (!md5) {
    return {
      state: moveTo(state, { kind: "hashing", index, expectedMd5: null }),
      effects: [{ kind: "hash", key }],
      calls: index === null ? [{ kind: "announce" }] : [],
    };
  }
  if (index === null) return { state: moveTo(state, { kind: "announcing", md5 }), calls: [{ kind: "announce" }] };
  return queued(key, state, { index, md5, attempt: 1, reason: null }, resumeBytesOf(entry));
}

/**
 * The commit's verification refused an uploaded file and deleted it (its blocks with it): it must be sent again,
 * whole, with a fresh link.
 */
export function refusedByCommit({ state, blocks }: FileEntry, problem: string): FileChange | null {
  if (state.kind !== "uploaded") return null;
  return {
    state: moveTo(state, { kind: "failed", index: state.index, md5: state.md5, sent: 0, reason: problem }),
    effects: [{ kind: "forget-link", index: state.index }],
    blocks: blocks && { ...blocks, done: new Set() },
  };
}
