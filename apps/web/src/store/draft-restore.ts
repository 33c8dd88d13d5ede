import { ApiRequestError, type ApiClient } from "@study-uploader/shared";
import type { DraftKeeper } from "./draft-autosave.js";
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
  if (saved.batchId && deps.now < saved.expiresAt) {
    try {
      status = await deps.api.getBatch(saved.batchId);
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
