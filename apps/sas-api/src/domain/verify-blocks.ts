import { MAX_BLOCKS_PER_BLOB, parseBlockId } from "@study-uploader/shared";
import type { ListedBlock } from "../storage/block-blobs.js";
import type { BlockToCopy } from "../storage/committed-images.js";

export const BLOCKS_PROBLEM = "was not uploaded as the blocks it names; upload it again";

/**
 * The blocks to copy for an upload sent in blocks, from its committed block list; null unless the list is what
 * this app's uploader makes: ids naming blocks 0 to n-1 in order with their MD5s, at most MAX_BLOCKS_PER_BLOB,
 * all of one size but the last (not empty, not larger), adding up to the declared size. Storage checks each
 * block's bytes against the MD5 its id names when the commit copies it, so only such a list proves the bytes.
 */
export function blocksToCopy(listed: readonly ListedBlock[], declaredSize: number): BlockToCopy[] | null {
  if (listed.length === 0 || listed.length > MAX_BLOCKS_PER_BLOB) return null;
  const blockBytes = listed[0]!.size;
  const blocks: BlockToCopy[] = [];
  let start = 0;
  for (const [i, { id, size }] of listed.entries()) {
    const named = parseBlockId(id);
    const last = i === listed.length - 1;
    if (named?.block !== i || size <= 0 || (last ? size > blockBytes : size !== blockBytes)) return null;
    blocks.push({ id, md5: named.md5, start, end: start + size });
    start += size;
  }
  return start === declaredSize ? blocks : null;
}
