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
  return hashers.hashDigest(body, blockBytes, signal);
}
