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

/** True when a batch exists and something in it still has to arrive or be committed. */
export function canRetry(state: Pick<StudyDraftState, "phase" | "batch" | "images" | "formError">): boolean {
  if (state.phase !== "editing" || !state.batch) return false;
  return state.batch.imageIds.some((id) => state.images[id]?.status === "failed") || state.formError !== null;
}
