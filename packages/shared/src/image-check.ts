import { errorMessage } from "./error-message.js";
import { imageHeadBytes, scanImageStructure } from "./image-structure.js";
import type { ImageType } from "./limits.js";

/** The file's bytes [from, end), one head's worth at a time: the check stops taking them once it has its answer. */
async function* fileChunks(file: Blob, type: ImageType, from: number, end: number) {
  for (let at = from; at < end; at += imageHeadBytes(type)) {
    yield new Uint8Array(await file.slice(at, Math.min(end, at + imageHeadBytes(type))).arrayBuffer());
  }
}

/**
 * Why this file's bytes are not the image its type claims (a renamed PDF, a truncated PNG), checked with the
 * server's own rules before anything is sent; null when it may be uploaded. Reads only the file's head (a JPEG's
 * up to its frame header), never the whole file.
 */
export async function imageStructureProblem(file: Blob, type: ImageType): Promise<string | null> {
  const structure = await scanImageStructure(type, file.size, async (from, end) => fileChunks(file, type, from, end));
  // A Blob's bytes do not change, so the scan never finds the file gone; were it to, the file would not be sent.
  if (structure === null) return "Not sent: its image header could not be read";
  return structure.kind === "valid" ? null : `Not sent: its ${structure.problem}`;
}

/** The same for a picked file, which may also fail to be read (moved or deleted since): its problem says so. */
export const checkedImageProblem = (file: Blob, type: ImageType): Promise<string | null> =>
  imageStructureProblem(file, type).catch(
    (error: unknown) => `Not sent: the file could not be read (${errorMessage(error)})`,
  );
