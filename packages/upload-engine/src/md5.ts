import { createMD5 } from "hash-wasm";

/** Base64 of a blob's MD5 digest, the form Content-MD5 and the commit use. */
export type Md5Hasher = (blob: Blob, signal?: AbortSignal) => Promise<string>;

/** A file's MD5 and, when it goes in blocks, each block's (in order). */
export interface FileDigest {
  md5: string;
  blockMd5s: string[] | null;
}

/**
 * Hashes a file in one read: the whole file's MD5 and, with `blockBytes`, each block's too, told to `onBlock` as
 * soon as it is known (so its upload need not wait for the rest of the file).
 */
export type DigestHasher = (
  blob: Blob,
  blockBytes: number | null,
  signal?: AbortSignal,
  onBlock?: (block: number, md5: string) => void,
) => Promise<FileDigest>;

/** Small enough that hashing one chunk takes a few milliseconds, so the page never freezes. */
export const MD5_CHUNK_BYTES = 4 * 1024 * 1024;

export function base64FromBytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Hashes a blob chunk by chunk (never past a block's end), so a large file never sits in memory whole and the event
 * loop breathes between chunks; each chunk feeds the file's hash and its block's.
 */
export function createChunkedDigest(chunkBytes: number = MD5_CHUNK_BYTES): DigestHasher {
  return async (blob, blockBytes, signal, onBlock) => {
    const whole = await createMD5();
    const block = blockBytes === null ? null : await createMD5();
    whole.init();
    block?.init();
    const blockMd5s: string[] = [];
    for (let offset = 0; offset < blob.size;) {
      signal?.throwIfAborted();
      const blockEnd = blockBytes === null ? blob.size : (Math.floor(offset / blockBytes) + 1) * blockBytes;
      const end = Math.min(offset + chunkBytes, blockEnd, blob.size);
      const chunk = new Uint8Array(await blob.slice(offset, end).arrayBuffer());
      whole.update(chunk);
      block?.update(chunk);
      offset = end;
      if (block && (offset === blockEnd || offset === blob.size)) {
        blockMd5s.push(base64FromBytes(block.digest("binary")));
        onBlock?.(blockMd5s.length - 1, blockMd5s.at(-1)!);
        block.init();
      }
    }
    signal?.throwIfAborted();
    return { md5: base64FromBytes(whole.digest("binary")), blockMd5s: block ? blockMd5s : null };
  };
}

/** The whole file's MD5 only. */
export function createChunkedMd5(chunkBytes: number = MD5_CHUNK_BYTES): Md5Hasher {
  const digest = createChunkedDigest(chunkBytes);
  return async (blob, signal) => (await digest(blob, null, signal)).md5;
}
