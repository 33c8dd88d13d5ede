import type { BatchStatus, ImageType } from "@study-uploader/shared";
import type { RestoredFile } from "@study-uploader/upload-engine";

/** What a file is known by when its bytes are not at hand: a saved draft keeps no image bytes. */
export interface FileFacts {
  name: string;
  size: number;
  type: string;
  lastModified: number;
}

/**
 * A file handle Chromium lets a page keep in IndexedDB (File System Access API): after a reload the page may ask
 * for permission again and read the file without the researcher picking it.
 */
export interface KeptFileHandle {
  kind: "file";
  name: string;
  getFile(): Promise<File>;
  queryPermission?(descriptor: { mode: "read" }): Promise<PermissionState>;
  requestPermission?(descriptor: { mode: "read" }): Promise<PermissionState>;
}

export interface SavedImage {
  id: string;
  file: FileFacts;
  label: string;
  /** Its index in the batch, once the API announced it. */
  batchIndex: number | null;
  md5: string | null;
  uploaded: boolean;
  /** A small picture of it, to show while its bytes are not back. */
  thumbnail: Blob | null;
  handle: KeptFileHandle | null;
}

/** The study form as it is saved in IndexedDB while the researcher works: everything but the image bytes. */
export interface SavedDraft {
  version: 1;
  title: string;
  description: string;
  batchId: string | null;
  /** When the draft may no longer be committed (the batch's staging deadline, or the TTL from its start). */
  expiresAt: number;
  savedAt: number;
  images: SavedImage[];
}

/** An image of a restored draft, as the form takes it back. */
export interface RestoredImage extends SavedImage {
  /** Its bytes must be added again (or read through its handle) before the study can be created. */
  needsFile: boolean;
}

export type DraftRestoration =
  | { kind: "restored"; draft: SavedDraft; images: RestoredImage[]; sessionFiles: RestoredFile[] }
  /** Past its staging deadline, or its batch is gone: nothing of it can be committed any more. */
  | { kind: "expired"; draft: SavedDraft }
  /** It was committed (the page went away while the commit was answered). */
  | { kind: "committed"; draft: SavedDraft; studyId: string };

/**
 * Decides what of a saved draft comes back, given what storage holds for its batch (`status`; null when the
 * batch could not be asked about, and the draft's own record is trusted). Images that arrived come back as
 * done; images removed on the server are dropped; the rest wait for their files.
 */
export function restoreDraft(draft: SavedDraft, status: BatchStatus | null | "gone", now: number): DraftRestoration {
  if (status === "gone" || now >= draft.expiresAt) return { kind: "expired", draft };
  if (status?.studyId) return { kind: "committed", draft, studyId: status.studyId };
  const onServer = new Map(status?.files.map((file) => [file.index, file]));
  const images: RestoredImage[] = [];
  for (const image of draft.images) {
    const server = image.batchIndex === null ? undefined : onServer.get(image.batchIndex);
    if (server?.removed) continue;
    // Storage decides when it was asked: an upload answered after the last save still counts; one it lost does not.
    const uploaded = image.md5 !== null && image.batchIndex !== null && (server ? server.uploaded : image.uploaded);
    images.push({ ...image, uploaded, needsFile: !uploaded });
  }
  const sessionFiles = draft.batchId
    ? images.flatMap((image): RestoredFile[] =>
        image.batchIndex === null
          ? []
          : [
              {
                id: image.id,
                index: image.batchIndex,
                name: image.file.name,
                size: image.file.size,
                type: image.file.type as ImageType,
                md5: image.md5,
                uploaded: image.uploaded,
              },
            ],
      )
    : [];
  return { kind: "restored", draft: { ...draft, expiresAt: stagingExpiry(draft, status) }, images, sessionFiles };
}

const stagingExpiry = (draft: SavedDraft, status: BatchStatus | null) =>
  status ? Math.min(draft.expiresAt, Date.parse(status.stagingExpiresAt)) : draft.expiresAt;

/** The same file as one picked before: by name, size and last change (its MD5 confirms it before sending). */
export const sameFile = (a: FileFacts, b: FileFacts) =>
  a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

/**
 * Pairs files added again with the restored images waiting for them, each image at most once, in list order.
 * Files that match no waiting image are new images.
 */
export function matchWaitingImages<F extends FileFacts>(
  waiting: readonly { id: string; file: FileFacts }[],
  files: readonly F[],
): { matched: { id: string; file: F }[]; unmatched: F[] } {
  const open = [...waiting];
  const matched: { id: string; file: F }[] = [];
  const unmatched: F[] = [];
  for (const file of files) {
    const at = open.findIndex((image) => sameFile(image.file, file));
    if (at === -1) {
      unmatched.push(file);
      continue;
    }
    matched.push({ id: open[at]!.id, file });
    open.splice(at, 1);
  }
  return { matched, unmatched };
}
