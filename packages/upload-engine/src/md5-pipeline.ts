import type { Md5Hasher } from "./md5.js";

export interface HashableFile {
  index: number;
  body: Blob;
  /** Known from an earlier run: not hashed again. */
  md5?: string;
}

/**
 * Hashes files one at a time, in upload order, so the first upload waits for one hash only and the rest are
 * ready by the time a slot frees up. Returns each file's MD5 promise by index.
 */
export function hashInUploadOrder(
  files: readonly HashableFile[],
  hashMd5: Md5Hasher,
  signal: AbortSignal,
  onHashed?: (index: number, md5: string) => void,
): Map<number, Promise<string>> {
  let previous: Promise<unknown> = Promise.resolve();
  const md5ByIndex = new Map<number, Promise<string>>();
  for (const file of files) {
    const known = file.md5;
    const hashed = known
      ? Promise.resolve(known)
      : previous.then(async () => {
          const md5 = await hashMd5(file.body, signal);
          onHashed?.(file.index, md5);
          return md5;
        });
    // One unreadable file must not stop the others from being hashed; its own upload reports the failure.
    previous = hashed.catch(() => undefined);
    md5ByIndex.set(file.index, hashed);
  }
  return md5ByIndex;
}
