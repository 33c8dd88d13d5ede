import { imageHeadBytes, inspectImageStructure, type ImageType } from "@study-uploader/shared";

/**
 * Why this file's bytes are not the image its type claims (a renamed PDF, a truncated PNG), checked with the
 * server's own rules before anything is sent; null when it may be uploaded. Reads only the file's head (a JPEG's
 * up to its frame header), never the whole file.
 */
export async function imageStructureProblem(file: Blob, type: ImageType): Promise<string | null> {
  let upTo = Math.min(file.size, imageHeadBytes(type));
  for (;;) {
    const head = new Uint8Array(await file.slice(0, upTo).arrayBuffer());
    const structure = inspectImageStructure(type, head, file.size);
    if (structure.kind === "valid") return null;
    if (structure.kind === "invalid") return `Not sent: its ${structure.problem}`;
    // The parser only asks for more than it has, and never past the scan limit or the file.
    if (structure.upTo <= upTo) return "Not sent: its image header could not be read";
    upTo = structure.upTo;
  }
}

/** The same for a picked file, which may also fail to be read (moved or deleted since): its problem says so. */
export const pickedFileProblem = (file: File): Promise<string | null> =>
  imageStructureProblem(file, file.type as ImageType).catch(
    (error: unknown) =>
      `Not sent: the file could not be read (${error instanceof Error ? error.message : String(error)})`,
  );
