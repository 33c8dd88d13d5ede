import { MiB } from "./limits.js";

/**
 * Large files go to storage as blocks (Put Block, then Put Block List) instead of one Put Blob: blocks of one file
 * travel in parallel, each carries its own Content-MD5, a lost block costs only itself, and finished blocks survive
 * a pause, a lost network or a reload. The block id names the block's place and its MD5, so the commit can copy
 * the file block by block with each block's MD5 checked by storage, and a reloaded page can tell which blocks
 * storage already holds.
 */

/** Put Block List takes at most this many blocks for one blob. */
export const MAX_BLOCKS_PER_BLOB = 50_000;
/** Put Block and Put Block From URL take at most this much each. */
export const MAX_BLOCK_BYTES = 4000 * MiB;
/** The largest file the API may be configured to take (`MAX_FILE_BYTES`). */
export const MAX_FILE_BYTES_LIMIT = 4 * 1024 * MiB;

/** Files larger than this go in blocks (`UPLOAD_BLOCK_THRESHOLD_BYTES`); see README, Performance. */
export const DEFAULT_BLOCK_THRESHOLD_BYTES = 32 * MiB;
/** A block's size when nothing was measured of the link yet (`UPLOAD_BLOCK_BYTES`): AzCopy's 8 MiB. */
export const DEFAULT_BLOCK_BYTES = 8 * MiB;
/** Blocks sized from the link take about this long each on one connection. */
const BLOCK_TARGET_SECONDS = 2;
const MIN_LINK_BLOCK_BYTES = 4 * MiB;
const MAX_LINK_BLOCK_BYTES = 64 * MiB;

/** Whether a file of this size goes in blocks. */
export const usesBlocks = (size: number, thresholdBytes: number) => size > thresholdBytes;

const roundUpToMiB = (bytes: number) => Math.ceil(bytes / MiB) * MiB;

/**
 * The block size of one file, fixed when it is first hashed (its blocks' MD5s depend on it):
 * - `baseBytes` when nothing was measured yet; otherwise what one connection sends in about 2 s
 *   (`bytesPerConnectionPerSecond`), kept between 4 and 64 MiB, in whole MiB;
 * - never so small that the file needs more than 50,000 blocks.
 * A block size below 1 MiB (tests) is kept as given.
 */
export function blockBytesFor(size: number, baseBytes: number, bytesPerConnectionPerSecond: number | null): number {
  const fromLink =
    bytesPerConnectionPerSecond === null || baseBytes < MiB
      ? baseBytes
      : Math.min(
          MAX_LINK_BLOCK_BYTES,
          Math.max(MIN_LINK_BLOCK_BYTES, roundUpToMiB(bytesPerConnectionPerSecond * BLOCK_TARGET_SECONDS)),
        );
  const least = Math.ceil(size / MAX_BLOCKS_PER_BLOB);
  return fromLink >= least ? fromLink : roundUpToMiB(least);
}

export const blockCountOf = (size: number, blockBytes: number) => Math.ceil(size / blockBytes);

/** Bytes [start, end) of block `block`. */
export function blockRange(block: number, size: number, blockBytes: number): { start: number; end: number } {
  const start = block * blockBytes;
  return { start, end: Math.min(size, start + blockBytes) };
}

/** Digits of the block number in an id: 50,000 blocks fit, and every id of a blob has the same length. */
const BLOCK_NUMBER_DIGITS = 5;
const BLOCK_ID_TEXT = /^(\d{5})-([A-Za-z0-9+/]{22}==)$/;

/**
 * A block's id: base64 of `NNNNN-<md5>` (30 characters, 40 once encoded), so all ids of a blob have one length
 * as storage requires. Put in a URL it must be escaped (`encodeURIComponent`).
 */
export function blockIdOf(block: number, md5: string): string {
  const text = `${String(block).padStart(BLOCK_NUMBER_DIGITS, "0")}-${md5}`;
  return btoa(text);
}

/** The block number and MD5 an id names, or null for an id this app did not make. */
export function parseBlockId(id: string): { block: number; md5: string } | null {
  let text: string;
  try {
    text = atob(id);
  } catch {
    return null;
  }
  const match = BLOCK_ID_TEXT.exec(text);
  return match ? { block: Number(match[1]), md5: match[2]! } : null;
}

/** Put Block List's body: every block, in order, from the latest ones staged. */
export function blockListXml(ids: readonly string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
}
