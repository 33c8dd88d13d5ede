import { blockCountOf, blockRange } from "@study-uploader/shared";
import type { DigestHasher, FileDigest, Md5Hasher } from "./md5.js";
import type { FileEntry } from "./upload-state.js";

export interface Hashers {
  hashMd5: Md5Hasher;
  hashDigest: DigestHasher;
}

/** The MD5s a large file had before a reload (kept with the draft), if it is hashed again with the same blocks. */
function keptDigest({ state, spec, blocks }: FileEntry, blockBytes: number): FileDigest | null {
  const expected = state.kind === "hashing" ? state.expectedMd5 : null;
  if (expected === null || !blocks || blocks.blockBytes !== blockBytes) return null;
  if (blocks.md5s.length !== blockCountOf(spec.size, blockBytes)) return null;
  return { md5: expected, blockMd5s: [...blocks.md5s] };
}

/**
 * How a file is hashed before it is sent: whole; with its blocks; or, for a large file added again after a reload,
 * by its first and last block only when the draft kept every block's MD5: when both still hash the same, the kept
 * MD5s stand (a block changed in between would be refused by storage, its Content-MD5 being the kept one), and
 * the missing blocks go at once instead of after a read of the whole file.
 */
export async function digestOf(
  entry: FileEntry,
  body: Blob,
  blockBytes: number | null,
  hashers: Hashers,
  signal: AbortSignal,
  onBlock?: (block: number, md5: string) => void,
): Promise<FileDigest> {
  if (blockBytes === null) return { md5: await hashers.hashMd5(body, signal), blockMd5s: null };
  const kept = keptDigest(entry, blockBytes);
  if (kept) {
    const last = kept.blockMd5s!.length - 1;
    const ends = [...new Set([0, last])];
    const hashed = await Promise.all(
      ends.map((block) => {
        const { start, end } = blockRange(block, body.size, blockBytes);
        return hashers.hashMd5(body.slice(start, end), signal);
      }),
    );
    if (hashed.every((md5, i) => md5 === kept.blockMd5s![ends[i]!])) return kept;
  }
  return hashers.hashDigest(body, blockBytes, signal, onBlock);
}

/**
 * A new large file (not one coming back after a reload, whose MD5s must be known to tell whether it is the same
 * file and which of its blocks storage holds) is sent while it is hashed: its progress, the MD5s it has until the end (""), and the `onBlock` to hash
 * it with, which calls `started` once its first block's MD5 is known.
 */
export function streamedDigest(entry: FileEntry, blockBytes: number) {
  if (entry.state.kind !== "hashing" || entry.state.expectedMd5 !== null) return null;
  // Blocks storage reported before a reload count only once their MD5s are known: those files are read first.
  if ((entry.blocks?.reported.length ?? 0) > 0) return null;
  const count = blockCountOf(entry.spec.size, blockBytes);
  const progress = new DigestInProgress(count);
  let started = false;
  return {
    progress,
    placeholders: Array.from({ length: count }, () => ""),
    /** Whether the file went ahead of its hash (its first block's MD5 came on the way). */
    started: () => started,
    onBlock: (onStart: () => void) => (block: number, md5: string) => {
      progress.blockHashed(block, md5);
      if (block === 0) {
        started = true;
        onStart();
      }
    },
  };
}

/**
 * A large file being hashed while its blocks are sent: each block's MD5 as soon as the worker has it, and the
 * file's once the whole file was read. A block's upload waits only for its own MD5.
 */
/** A promise and what settles it; a rejection nobody waits for yet is not an unhandled one. */
function settleable<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class DigestInProgress {
  readonly #blocks: ReturnType<typeof settleable<string>>[];
  readonly #file = settleable<string>();
  readonly file = this.#file.promise;

  constructor(blockCount: number) {
    this.#blocks = Array.from({ length: blockCount }, () => settleable<string>());
  }

  block(block: number): Promise<string> {
    return this.#blocks[block]?.promise ?? Promise.reject(new Error(`no block ${block}`));
  }

  blockHashed(block: number, md5: string): void {
    this.#blocks[block]?.resolve(md5);
  }

  hashed(md5: string): void {
    this.#file.resolve(md5);
  }

  /** The file could not be read: every wait for it ends with why. */
  failed(error: unknown): void {
    for (const block of this.#blocks) block.reject(error);
    this.#file.reject(error);
  }
}
