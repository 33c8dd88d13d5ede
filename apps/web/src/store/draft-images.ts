import { labelFromFileName, type ImageType, type UploadConfig } from "@study-uploader/shared";
import type { CommitOutcome, FileUploadState, SessionFile } from "@study-uploader/upload-engine";
import { draftMessages } from "./draft-messages.js";
import { imageProblem } from "./draft-validation.js";
import type { RestoredImage } from "./saved-draft.js";
import type { DraftImage, DraftImages, StudyDraftState } from "./study-draft-state.js";

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

/**
 * Which of these unchecked images may be checked and sent now, in list order: never more than the batch may hold
 * (files and bytes), counting the images already on their way. The rest wait until removals make room.
 */
export function imagesThatFit(state: DraftImages, ids: readonly string[], config: UploadConfig): string[] {
  const sending = state.imageIds.map((id) => state.images[id]!).filter((i) => i.checked && !i.contentProblem);
  let room = config.maxFiles - sending.length;
  let bytesLeft = (config.maxBatchBytes ?? Infinity) - sending.reduce((sum, image) => sum + image.file.size, 0);
  return ids.filter((id) => {
    const image = state.images[id];
    if (!image || image.checked || !image.blob || imageProblem(image.file, config)) return false;
    if (room === 0 || image.file.size > bytesLeft) return false;
    room--;
    bytesLeft -= image.file.size;
    return true;
  });
}

/** How the form shows a commit that made no study; the form stays as it was, editable again. */
export function stateAfterFailedCommit(
  outcome: Exclude<CommitOutcome, { kind: "committed" }>,
): Partial<StudyDraftState> {
  switch (outcome.kind) {
    case "files-failed":
      return { phase: "editing", announcement: draftMessages.filesFailed(outcome.failedIds.length) };
    case "refused":
      // The server's refusal already says "Not committed" and names the files.
      return { phase: "editing", formError: outcome.message, announcement: outcome.message };
    case "error": {
      const message = (outcome.stage === "start" ? draftMessages.startFailed : draftMessages.commitFailed)(
        outcome.message,
      );
      return { phase: "editing", formError: message, announcement: message };
    }
    case "cancelled":
      // Cancel already put the form back.
      return {};
  }
}

/** A restored image whose file was added again: it is checked, then resumed in its place in the batch. */
export const withFileBack = (image: DraftImage, file: File, previewUrl: string): DraftImage => ({
  ...image,
  file,
  blob: file,
  needsFile: false,
  checked: false,
  status: "queued",
  statusReason: null,
  previewUrl,
});

/** The order with one image moved to a position (kept within the list); null when that moves nothing. */
export function withImageMoved(imageIds: readonly string[], imageId: string, position: number): string[] | null {
  const from = imageIds.indexOf(imageId);
  const to = Math.max(0, Math.min(imageIds.length - 1, position));
  if (from === -1 || from === to) return null;
  const reordered = [...imageIds];
  reordered.splice(from, 1);
  reordered.splice(to, 0, imageId);
  return reordered;
}
