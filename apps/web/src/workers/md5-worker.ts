import { createWorkerDigest, type DigestHasher, type Md5Hasher } from "@study-uploader/upload-engine";

/**
 * Hashes files in one module worker (Vite bundles `md5.worker.ts` as its own chunk), on the main thread without one:
 * a file's MD5, or a large file's and each of its blocks' in the same read.
 */
export function createBrowserHashers(): { hashMd5: Md5Hasher; hashDigest: DigestHasher } {
  const hashDigest = createWorkerDigest(
    () => new Worker(new URL("./md5.worker.ts", import.meta.url), { type: "module" }),
  );
  return { hashDigest, hashMd5: async (blob, signal) => (await hashDigest(blob, null, signal)).md5 };
}
