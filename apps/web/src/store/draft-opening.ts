import type { StudySession } from "@study-uploader/upload-engine";
import type { createDraftAutosave, DraftKeeper } from "./draft-autosave.js";
import { imageNumber, stagingTtlMs } from "./draft-images.js";
import { keepingTypedText, readBackDraft, stateOfRestoredDraft } from "./draft-restore.js";
import type { DraftStoreAccess, StudyDraftDeps } from "./draft-upload-session.js";
import type { KeptFileHandle, SavedDraft } from "./saved-draft.js";
import type { StudyDraftActions } from "./study-draft-state.js";

export interface DraftOpeningContext extends Pick<DraftStoreAccess, "get" | "set" | "wallClock"> {
  deps: StudyDraftDeps;
  session: StudySession;
  /** Created after the store: asked for when a draft opens or closes. */
  autosave: () => ReturnType<typeof createDraftAutosave>;
  addFiles: StudyDraftActions["addFiles"];
  /** Stops the uploads; `dropBatch` also deletes the batch's staged blobs. */
  stopUploads: (dropBatch: boolean) => void;
  clearForm: (announcement: string) => void;
  /** A restored image's number: new images are numbered after it. */
  noteImageNumber: (number: number) => void;
}

type Picked = { files: readonly File[]; handles?: readonly Promise<KeptFileHandle | null>[] };

/**
 * Which kept draft the form is open on: opening one (this tab already holds it) brings it back around what was
 * typed meanwhile; closing one stops its uploads and lets go of it.
 */
export function createDraftOpening(ctx: DraftOpeningContext) {
  const { deps, get, set, session } = ctx;
  /** The kept draft the form is open on, or opening: an opening it no longer is stops where it is. */
  let openKeeper: DraftKeeper | null = null;
  /** Files added while the saved draft is still being read: they join it once it is back. */
  let pickedWhileOpening: Picked[] = [];

  /** Brings back a draft saved before this page was opened, as far as storage still holds it. */
  const takeBack = async (saved: SavedDraft, keeper: DraftKeeper) => {
    const restored = await readBackDraft(saved, { api: deps.api, drafts: keeper, now: ctx.wallClock() });
    if (openKeeper !== keeper) return;
    if (restored.kind === "restored") {
      const { batchId } = saved.upload;
      if (batchId) session.restore(batchId, restored.sessionFiles);
      for (const image of restored.images) ctx.noteImageNumber(imageNumber(image.id));
    }
    const back = stateOfRestoredDraft(restored, stagingTtlMs(get().config), (blob) => deps.previews.create(blob));
    set(keepingTypedText(back, get()));
  };

  return {
    /** The kept draft open (or opening) now. */
    current: () => openKeeper,
    /** Files picked before the draft is open: they join it once it is. */
    holdBack(picked: Picked) {
      pickedWhileOpening.push(picked);
    },
    async open(keeper: DraftKeeper) {
      if (openKeeper || get().draftAccess !== "opening") return;
      openKeeper = keeper;
      const closed = () => openKeeper !== keeper;
      const saved = await keeper.load().catch(() => null);
      if (saved && !closed()) await takeBack(saved, keeper);
      if (closed()) return;
      set({ draftAccess: "open" });
      ctx.autosave().start(keeper, saved);
      const waiting = pickedWhileOpening;
      pickedWhileOpening = [];
      for (const { files, handles } of waiting) ctx.addFiles(files, handles);
    },
    /** The form empties at once (what is typed from then on goes to the next draft); the keeper goes after. */
    async close(how: Parameters<StudyDraftActions["closeDraft"]>[0]) {
      const keeper = openKeeper;
      if (!keeper) return;
      openKeeper = null;
      // Lost to another tab: not one more write; else what the form holds now is the kept draft's last word.
      const written = ctx.autosave().stop(how !== "lost");
      // Kept for its owner, the batch stays for the draft to resume; forgotten, both go.
      ctx.stopUploads(how === "forget");
      pickedWhileOpening = [];
      ctx.clearForm("");
      set({ draftAccess: "opening", draftNotice: null });
      await written;
      if (how === "forget") await keeper.clear().catch(() => undefined);
      keeper.release();
    },
  };
}
