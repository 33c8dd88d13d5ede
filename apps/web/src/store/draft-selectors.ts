import { sentBytesOf, type FileEntry, type UploadSnapshot } from "@study-uploader/upload-engine";
import type { DraftImage, DraftImages, DraftPhase, StudyDraftState } from "./study-draft-state.js";

/** The study session's side of the form: how far each image got, and the commit. */
export type UploadView = Pick<UploadSnapshot, "files" | "commit">;

/** Where the form is, read from the session's commit: editing, waiting for uploads, or committing. */
export function draftPhase(upload: Pick<UploadSnapshot, "commit">): DraftPhase {
  switch (upload.commit.kind) {
    case "waiting":
      return "waiting";
    case "sending":
      return "committing";
    default:
      return "editing";
  }
}

/** Bytes of this image that reached storage (and stay counted across retries). */
export const sentOf = (entry: FileEntry | undefined): number => (entry ? sentBytesOf(entry) : 0);

const ON_THE_WAY = new Set<FileEntry["state"]["kind"]>([
  "checking",
  "hashing",
  "announcing",
  "queued",
  "uploading",
  "retrying",
  "paused",
]);

/** States a file can be paused in (or is about to be sent from). */
const PAUSABLE = new Set<FileEntry["state"]["kind"]>(["hashing", "announcing", "queued", "uploading", "retrying"]);

/** Whether Pause applies to this image now (on its way, not already held). */
export const canPause = (entry: FileEntry | undefined) =>
  entry !== undefined && !entry.paused && (PAUSABLE.has(entry.state.kind) || entry.state.kind === "checking");

/** Images held by Pause: the study cannot be created until they are resumed. */
export function pausedCount(form: DraftImages, upload: UploadView): number {
  return images(form).filter((image) => upload.files[image.id]?.paused === true).length;
}

/** Images that Pause all would hold. */
export function pausableCount(form: DraftImages, upload: UploadView): number {
  return images(form).filter((image) => canPause(upload.files[image.id])).length;
}

/** The image's file must be added again (restored without its bytes, and not arrived before the reload). */
export const needsFile = (image: DraftImage, entry: FileEntry | undefined) =>
  image.blob === null && entry?.state.kind !== "uploaded";

/** Why the session will not send this image's bytes (not the image its type says), once checked. */
export const contentProblem = (entry: FileEntry | undefined) =>
  entry?.state.kind === "rejected" ? entry.state.problem : null;

const images = (form: DraftImages) => form.imageIds.map((id) => form.images[id]!);

/** Images still on their way: being checked, hashed or sent, or held back until the batch has room. */
export function uploadingCount(form: DraftImages, upload: UploadView): number {
  return images(form).filter((image) => {
    const entry = upload.files[image.id];
    return entry ? ON_THE_WAY.has(entry.state.kind) : image.blob !== null;
  }).length;
}

/** Requests still to send: one per image on its way, or one per missing block of an image sent in blocks. */
export function pendingRequests(form: DraftImages, upload: UploadView): number {
  return images(form).reduce((sum, image) => {
    const entry = upload.files[image.id];
    if (!entry) return sum + (image.blob !== null ? 1 : 0);
    if (!ON_THE_WAY.has(entry.state.kind)) return sum;
    return sum + (entry.blocks && entry.blocks.md5s.length > 0 ? entry.blocks.md5s.length - entry.blocks.done.size : 1);
  }, 0);
}

/** True when an image failed or the last commit did: Retry failed has something to do. */
export function canRetry(form: Pick<StudyDraftState, "imageIds" | "images" | "formError">, upload: UploadView) {
  if (draftPhase(upload) !== "editing") return false;
  return form.imageIds.some((id) => upload.files[id]?.state.kind === "failed") || form.formError !== null;
}

/** Restored images waiting for their files. */
export function waitingForFilesCount(form: DraftImages, upload: UploadView): number {
  return images(form).filter((image) => needsFile(image, upload.files[image.id])).length;
}

/** Restored images waiting for their files that can be read again through a kept handle. */
export function resumableCount(form: DraftImages, upload: UploadView): number {
  return images(form).filter((image) => needsFile(image, upload.files[image.id]) && image.handle !== null).length;
}
