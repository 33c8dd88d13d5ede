import { labelFromFileName, type ImageType, type UploadConfig } from "@study-uploader/shared";
import type { CommitOutcome, SessionFile, UploadSnapshot } from "@study-uploader/upload-engine";
import { draftMessages } from "./draft-messages.js";
import { imageProblem } from "./draft-validation.js";
import type { SavedImage } from "./saved-draft.js";
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

/**
 * Images up to this size are shown in the list and get a kept thumbnail. A larger one is not decoded in the page:
 * a picture of that many bytes can take gigabytes once decoded, even to draw it 64 px wide.
 */
export const MAX_PREVIEW_BYTES = 64 * 1024 * 1024;

export const previewable = (file: { size: number }) => file.size <= MAX_PREVIEW_BYTES;

export const newImage = (id: string, file: File, previewUrl: string): DraftImage => ({
  id,
  file,
  blob: file,
  thumbnail: null,
  handle: null,
  previewUrl,
  label: labelFromFileName(file.name),
});

/** A restored image as the form shows it: its kept thumbnail until its file is added again. */
export const restoredImage = (image: SavedImage, previewUrl: string | null): DraftImage => ({
  ...image,
  blob: null,
  previewUrl,
});

/** The number in an image id (`image-7`), so ids made after a restore never repeat a restored one. */
export const imageNumber = (id: string) => Number(/^image-(\d+)$/.exec(id)?.[1] ?? 0);

/**
 * Which of these images the study session may be given now, in list order: those whose bytes are at hand and
 * not in the session yet (a restored image waiting for its file is already counted), never more than the batch
 * may hold (files and bytes). The rest wait until removals make room.
 */
export function imagesThatFit(
  state: DraftImages,
  upload: Pick<UploadSnapshot, "files">,
  ids: readonly string[],
  config: UploadConfig,
): string[] {
  const inBatch = state.imageIds
    .map((id) => upload.files[id])
    .filter((entry) => entry !== undefined && entry.state.kind !== "rejected");
  let room = config.maxFiles - inBatch.length;
  let bytesLeft = (config.maxBatchBytes ?? Infinity) - inBatch.reduce((sum, entry) => sum + entry!.spec.size, 0);
  return ids.filter((id) => {
    const image = state.images[id];
    const entry = upload.files[id];
    if (!image?.blob || imageProblem(image.file, config)) return false;
    if (entry) return entry.state.kind === "waiting-for-bytes";
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
      return { announcement: draftMessages.filesFailed(outcome.failedIds.length) };
    case "refused":
      // The server's refusal already says "Not committed" and names the files.
      return { formError: outcome.message, announcement: outcome.message };
    case "error": {
      const message = (outcome.stage === "start" ? draftMessages.startFailed : draftMessages.commitFailed)(
        outcome.message,
      );
      return { formError: message, announcement: message };
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
