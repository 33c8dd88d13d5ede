/** What storage reports of an uploaded blob. */
export interface ObservedImage {
  size: number;
  md5: string | null;
}

/** Checks what storage reports of an upload against the declared size and the browser's MD5; null when it matches. */
export function metadataProblem(declared: { size: number }, md5: string, observed: ObservedImage): string | null {
  if (observed.size !== declared.size) {
    return `stored size is ${observed.size} bytes but ${declared.size} were declared`;
  }
  if (observed.md5 === null) return "storage has no checksum for it; upload it again";
  if (observed.md5 !== md5) return "stored bytes do not match the file's checksum (corrupted or replaced)";
  return null;
}
