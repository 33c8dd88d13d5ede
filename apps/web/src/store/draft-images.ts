import { labelFromFileName, type ImageType, type UploadConfig } from "@study-uploader/shared";
import type { FileUploadState, SessionFile } from "@study-uploader/upload-engine";
import type { RestoredImage } from "./saved-draft.js";
import type { DraftImage } from "./study-draft-state.js";

export const sessionFile = (image: DraftImage): SessionFile => ({
  id: image.id,
  body: image.blob!,
  name: image.file.name,
  type: image.file.type as ImageType,
});

/** When a draft started now may no longer be committed: the API's staging TTL (24 h when it does not say). */
const DEFAULT_STAGING_TTL_SECONDS = 24 * 3600;
export const stagingTtlMs = (config: UploadConfig | null) =>
  (config?.stagingTtlSeconds ?? DEFAULT_STAGING_TTL_SECONDS) * 1000;

export const newImage = (id: string, file: File, previewUrl: string): DraftImage => ({
  id,
  file,
  blob: file,
  needsFile: false,
  batchIndex: null,
  thumbnail: null,
  handle: null,
  previewUrl,
  label: labelFromFileName(file.name),
  status: "queued",
  attempt: 0,
  statusReason: null,
  sentBytes: 0,
  md5: null,
  checked: false,
  contentProblem: null,
});

/** How one upload state shows in a row. */
export function imageChange(image: DraftImage, state: FileUploadState): Partial<DraftImage> {
  switch (state.status) {
    case "queued":
      return { status: "queued", statusReason: null };
    case "uploading":
      return { status: "uploading", attempt: state.attempt, statusReason: null };
    case "retrying":
      return { status: "retrying", attempt: state.attempt, statusReason: state.reason };
    case "done":
      return { status: "done", statusReason: null, sentBytes: image.file.size };
    case "failed":
      return { status: "failed", statusReason: state.reason };
  }
}

/** A restored image as the form shows it: done, or waiting for its file, with its kept thumbnail. */
export const restoredImage = (image: RestoredImage, previewUrl: string | null): DraftImage => ({
  id: image.id,
  file: image.file,
  blob: null,
  needsFile: image.needsFile,
  batchIndex: image.batchIndex,
  thumbnail: image.thumbnail,
  handle: image.handle,
  previewUrl,
  label: image.label,
  status: image.uploaded ? "done" : "queued",
  attempt: 0,
  statusReason: null,
  sentBytes: image.uploaded ? image.file.size : 0,
  md5: image.md5,
  // It passed the check before the reload; a file added again for it is checked again.
  checked: true,
  contentProblem: null,
});

/** The number in an image id (`image-7`), so ids made after a restore never repeat a restored one. */
export const imageNumber = (id: string) => Number(/^image-(\d+)$/.exec(id)?.[1] ?? 0);
