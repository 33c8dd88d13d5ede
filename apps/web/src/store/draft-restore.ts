import { ApiRequestError, type ApiClient } from "@study-uploader/shared";
import type { DraftKeeper } from "./draft-autosave.js";
import { restoredImage } from "./draft-images.js";
import { draftMessages } from "./draft-messages.js";
import type { DraftImage, StudyDraftState } from "./study-draft-state.js";
import { restoreDraft, type DraftRestoration, type KeptFileHandle, type SavedDraft } from "./saved-draft.js";

/**
 * What of a saved draft comes back: asks the API what storage holds for its batch (unless it is past its
 * deadline) and clears the saved copy when nothing of it can be committed any more.
 */
export async function readBackDraft(
  saved: SavedDraft,
  deps: { api: Pick<ApiClient, "getBatch">; drafts?: DraftKeeper; now: number },
): Promise<DraftRestoration> {
  let status: Parameters<typeof restoreDraft>[1] = null;
  const { batchId } = saved.upload;
  if (batchId && deps.now < saved.expiresAt) {
    try {
      status = await deps.api.getBatch(batchId);
    } catch (error) {
      // Gone (expired, swept or discarded elsewhere); any other failure: the draft's own record is trusted.
      if (error instanceof ApiRequestError && error.status === 404) status = "gone";
    }
  }
  const restored = restoreDraft(saved, status, deps.now);
  if (restored.kind !== "restored") await deps.drafts?.clear().catch(() => undefined);
  return restored;
}

/** Reads files again through their kept handles, asking permission where the browser wants it. */
export async function readKeptFiles(
  images: readonly { id: string; handle: KeptFileHandle | null }[],
): Promise<{ id: string; file: File }[]> {
  const found: { id: string; file: File }[] = [];
  for (const { id, handle } of images) {
    if (!handle) continue;
    try {
      let permission = (await handle.queryPermission?.({ mode: "read" })) ?? "granted";
      if (permission === "prompt") permission = (await handle.requestPermission?.({ mode: "read" })) ?? "denied";
      if (permission === "granted") found.push({ id, file: await handle.getFile() });
    } catch {
      // Moved, deleted or refused: this one must be added again by hand; its row still says so.
    }
  }
  return found;
}

/** The form as a restored draft leaves it: back with its images, or empty with a notice that says why. */
export function stateOfRestoredDraft(
  restored: DraftRestoration,
  stagingTtlMs: number,
  previewOf: (thumbnail: Blob) => string,
): Partial<StudyDraftState> {
  const { draft } = restored;
  if (restored.kind === "expired") {
    const hours = Math.round(stagingTtlMs / 3600_000);
    return { draftNotice: { message: draftMessages.draftExpired(draft.title, draft.savedAt, hours), studyId: null } };
  }
  if (restored.kind === "committed") {
    return { draftNotice: { message: draftMessages.draftCommitted(draft.title), studyId: restored.studyId } };
  }
  const images: Record<string, DraftImage> = {};
  for (const image of restored.images) {
    images[image.id] = restoredImage(image, image.thumbnail ? previewOf(image.thumbnail) : null);
  }
  const uploaded = restored.sessionFiles.filter((file) => file.uploaded).length;
  const message = draftMessages.draftRestored(uploaded, restored.images.length - uploaded);
  return {
    title: draft.title,
    description: draft.description,
    imageIds: restored.images.map((image) => image.id),
    images,
    expiresAt: draft.expiresAt,
    draftNotice: { message, studyId: null },
    announcement: message,
  };
}

/** Text typed while the draft was read back wins over the text it brings: nothing typed is ever overwritten. */
export function keepingTypedText(
  back: Partial<StudyDraftState>,
  typed: Pick<StudyDraftState, "title" | "description">,
): Partial<StudyDraftState> {
  return {
    ...back,
    ...(typed.title !== "" && { title: typed.title }),
    ...(typed.description !== "" && { description: typed.description }),
  };
}
