import { createHash } from "node:crypto";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Md5Hasher } from "./md5.js";

/**
 * A blob's MD5 with Node's own crypto, streamed (a file opened with `fs.openAsBlob` is read from disk chunk by
 * chunk, never whole): the command line's hasher, faster than the browser's WASM one and holding no memory of its own.
 */
export const nodeMd5: Md5Hasher = async (blob, signal) => {
  const hash = createHash("md5");
  for await (const chunk of blob.stream() as NodeReadableStream<Uint8Array>) {
    signal?.throwIfAborted();
    hash.update(chunk);
  }
  signal?.throwIfAborted();
  return hash.digest("base64");
};
