import type { BatchStatus, ImageType } from "@study-uploader/shared";
import { restoredBlocks, type KeptUpload, type RestoredFile } from "@study-uploader/upload-engine";

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

/** An image of the form as it is kept: what was picked, labelled and ordered (never its bytes). */
export interface SavedImage {
  id: string;
  file: FileFacts;
  label: string;
  /** A small picture of it, to show while its bytes are not back. */
  thumbnail: Blob | null;
  handle: KeptFileHandle | null;
}

/**
 * The study form as it is saved in IndexedDB while the researcher works: the form, and the study session's
 * snapshot of its uploads (`keptUpload`); never the image bytes.
 */
export interface SavedDraft {
  version: 2;
  title: string;
  description: string;
  /** When the draft may no longer be committed (the batch's staging deadline, or the TTL from its start). */
  expiresAt: number;
  savedAt: number;
  images: SavedImage[];
  upload: KeptUpload;
}

export type DraftRestoration =
  | { kind: "restored"; draft: SavedDraft; images: SavedImage[]; sessionFiles: RestoredFile[] }
  /** Past its staging deadline, or its batch is gone: nothing of it can be committed any more. */
  | { kind: "expired"; draft: SavedDraft }
  /** It was committed (the page went away while the commit was answered). */
  | { kind: "committed"; draft: SavedDraft; studyId: string };

/**
 * Decides what of a saved draft comes back, given what storage holds for its batch (`status`; null when the
 * batch could not be asked about, and the draft's own record is trusted). The session is restored from the kept
 * snapshot: images that arrived are done; images removed on the server are dropped; the rest wait for their files.
 */
export function restoreDraft(draft: SavedDraft, status: BatchStatus | null | "gone", now: number): DraftRestoration {
  if (status === "gone" || now >= draft.expiresAt) return { kind: "expired", draft };
  if (status?.studyId) return { kind: "committed", draft, studyId: status.studyId };
  const onServer = new Map(status?.files.map((file) => [file.index, file]));
  const kept = new Map(draft.upload.files.map((file) => [file.id, file]));
  const images: SavedImage[] = [];
  const sessionFiles: RestoredFile[] = [];
  for (const image of draft.images) {
    const upload = kept.get(image.id);
    const server = upload && onServer.get(upload.index);
    if (server?.removed) continue;
    images.push(image);
    if (!upload || draft.upload.batchId === null) continue;
    // Storage decides when it was asked: an upload answered after the last save still counts; one it lost does not.
    const uploaded = upload.md5 !== null && (server ? server.uploaded : upload.uploaded);
    const { name, size, type } = image.file;
    const blocks = uploaded ? null : restoredBlocks(upload.blocks, status ? (server?.stagedBlocks ?? []) : null);
    sessionFiles.push({ ...upload, uploaded, name, size, type: type as ImageType, blocks });
  }
  return { kind: "restored", draft: { ...draft, expiresAt: stagingExpiry(draft, status) }, images, sessionFiles };
}

const stagingExpiry = (draft: SavedDraft, status: BatchStatus | null) =>
  status ? Math.min(draft.expiresAt, Date.parse(status.stagingExpiresAt)) : draft.expiresAt;

/** The same file as one picked before: by name, size and last change (its MD5 confirms it before sending). */
export const sameFile = (a: FileFacts, b: FileFacts) =>
  a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

/** A draft kept by the version before the study session kept its own snapshot (upload state on each image). */
interface SavedDraftVersion1 extends Omit<SavedDraft, "version" | "upload" | "images"> {
  version: 1;
  batchId: string | null;
  images: (SavedImage & { batchIndex: number | null; md5: string | null; uploaded: boolean })[];
}

/** A kept draft as this version reads it: a version-1 draft is taken up as it was; anything else is none. */
export function readSavedDraft(kept: unknown): SavedDraft | null {
  const draft = kept as SavedDraft | SavedDraftVersion1 | undefined;
  if (draft?.version === 2) return draft;
  if (draft?.version !== 1) return null;
  const { batchId, images, ...rest } = draft;
  return {
    ...rest,
    version: 2,
    images: images.map(({ id, file, label, thumbnail, handle }) => ({ id, file, label, thumbnail, handle })),
    upload: {
      batchId,
      files: images.flatMap(({ id, batchIndex, md5, uploaded }) =>
        batchIndex === null ? [] : [{ id, index: batchIndex, md5, uploaded }],
      ),
    },
  };
}
