import { createMD5 } from "hash-wasm";

/** Base64 of a blob's MD5 digest, the form Content-MD5 and the commit use. */
export type Md5Hasher = (blob: Blob, signal?: AbortSignal) => Promise<string>;

/** Small enough that hashing one chunk takes a few milliseconds, so the page never freezes. */
export const MD5_CHUNK_BYTES = 4 * 1024 * 1024;

export function base64FromBytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Hashes a blob chunk by chunk, so a 16 MiB file never sits in memory whole and the event loop breathes between chunks. */
export function createChunkedMd5(chunkBytes: number = MD5_CHUNK_BYTES): Md5Hasher {
  return async (blob, signal) => {
    const hasher = await createMD5();
    hasher.init();
    for (let offset = 0; offset < blob.size; offset += chunkBytes) {
      signal?.throwIfAborted();
      const chunk = await blob.slice(offset, offset + chunkBytes).arrayBuffer();
      hasher.update(new Uint8Array(chunk));
    }
    signal?.throwIfAborted();
    return base64FromBytes(hasher.digest("binary"));
  };
}
