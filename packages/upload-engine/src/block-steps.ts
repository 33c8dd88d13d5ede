import { blockRange } from "@study-uploader/shared";
import type { FileChange } from "./file-steps.js";
import type { BlockProgress, FileEntry, FileState, RestoredEntry, SessionEvent } from "./upload-state.js";

/** A file restored after a reload: arrived, or waiting at its index for its bytes (and its reported blocks). */
export function restoredEntry(key: number, restored: RestoredEntry): FileEntry {
  const { id, spec, index, md5, uploaded } = restored;
  const state: FileState =
    uploaded && md5 !== null ? { kind: "uploaded", index, md5 } : { kind: "waiting-for-bytes", index, md5 };
  const blocks = restored.blocks && {
    blockBytes: restored.blocks.blockBytes,
    reported: restored.blocks.reported,
    md5s: restored.blocks.md5s ?? [],
    done: new Set<number>(),
  };
  return { key, id, spec, bytes: false, state, blocks, paused: false };
}

/** Bytes of the blocks storage holds for a file sent in blocks (0 for a file sent whole). */
export function keptBytesOf({
  blocks,
  spec,
}: {
  blocks: Pick<BlockProgress, "blockBytes" | "done"> | null;
  spec: { size: number };
}): number {
  if (!blocks) return 0;
  let kept = 0;
  for (const block of blocks.done) {
    const { start, end } = blockRange(block, spec.size, blocks.blockBytes);
    kept += end - start;
  }
  return kept;
}

/**
 * The file's blocks once hashed: blocks storage reported before a reload count as done when this file's block has
 * the MD5 their id names (the same bytes at the same place).
 */
export function hashedBlocks(
  entry: FileEntry,
  digest: { blockBytes: number; md5s: readonly string[] } | null,
): BlockProgress | null {
  if (!digest) return null;
  const reported = entry.blocks?.blockBytes === digest.blockBytes ? entry.blocks.reported : [];
  const done = new Set(reported.filter(({ block, md5 }) => digest.md5s[block] === md5).map(({ block }) => block));
  return { blockBytes: digest.blockBytes, md5s: digest.md5s, done, reported: [] };
}

/**
 * A large file is sent while it is hashed (each block once its MD5 is known): its own MD5 and its block MD5s
 * are "" until the whole file was read; then they are filled in, whatever state it is in.
 */
export function digested(entry: FileEntry, md5: string, md5s: readonly string[]): FileChange | null {
  const { state, blocks } = entry;
  if (!blocks) return null;
  const filled = "md5" in state && state.md5 === "" ? ({ ...state, md5 } as FileState) : state;
  return { state: filled, blocks: { ...blocks, md5s } };
}

/** Storage holds one more block of the file. */
export function blockDone(entry: FileEntry, block: number): FileChange | null {
  const { blocks } = entry;
  if (!blocks || blocks.done.has(block) || block >= blocks.md5s.length) return null;
  return { state: entry.state, blocks: { ...blocks, done: new Set(blocks.done).add(block) } };
}

/** What a block event does to the file: its MD5s known, or one more block stored. */
export const blockChange = (
  entry: FileEntry,
  event: Extract<SessionEvent, { kind: "digested" | "block-done" }>,
): FileChange | null =>
  event.kind === "digested" ? digested(entry, event.md5, event.md5s) : blockDone(entry, event.block);
