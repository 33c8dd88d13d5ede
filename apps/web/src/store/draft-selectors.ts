import type { DraftImages, StudyDraftState } from "./study-draft-state.js";

export function totalBytes(state: DraftImages): number {
  return state.imageIds.reduce((sum, id) => sum + state.images[id]!.file.size, 0);
}

export function sentBytes(state: DraftImages): number {
  return state.imageIds.reduce((sum, id) => sum + state.images[id]!.sentBytes, 0);
}

export function doneCount(state: DraftImages): number {
  return state.imageIds.filter((id) => state.images[id]!.status === "done").length;
}

/** Images still on their way (checked, not yet arrived or failed). */
export function uploadingCount(state: DraftImages): number {
  return state.imageIds.filter((id) => {
    const image = state.images[id]!;
    return image.contentProblem === null && !image.needsFile && image.status !== "done" && image.status !== "failed";
  }).length;
}

/** True when an image failed or the last commit did: Retry failed has something to do. */
export function canRetry(state: Pick<StudyDraftState, "phase" | "imageIds" | "images" | "formError">): boolean {
  if (state.phase !== "editing") return false;
  return state.imageIds.some((id) => state.images[id]?.status === "failed") || state.formError !== null;
}

/** Restored images waiting for their files. */
export function waitingForFilesCount(state: DraftImages): number {
  return state.imageIds.filter((id) => state.images[id]!.needsFile).length;
}

/** Restored images waiting for their files that can be read again through a kept handle. */
export function resumableCount(state: DraftImages): number {
  return state.imageIds.filter((id) => state.images[id]!.needsFile && state.images[id]!.handle !== null).length;
}
