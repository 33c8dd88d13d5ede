import { SerialQueue } from "@study-uploader/upload-engine";
import { isEmptyForm, type DraftKeeper } from "./draft-autosave.js";
import { draftsElsewhere, takeFirstFree, type DraftShelf } from "./draft-shelf.js";
import type { StudyDraftActions, StudyDraftState } from "./study-draft-state.js";

export interface DraftTabsDeps {
  shelf: DraftShelf;
  actions: Pick<StudyDraftActions, "openDraft" | "closeDraft" | "showDraftsElsewhere">;
  /** The form as it is now: taking over a draft never replaces what was typed or picked here. */
  form: () => Pick<StudyDraftState, "imageIds" | "title" | "description">;
  /** Wraps each draft before the form writes to it (the ownership's check of whose token the page holds). */
  guard?: (keeper: DraftKeeper) => DraftKeeper;
  /** Deletes a forgotten draft's staged images (sign-out). */
  discardBatch?: (batchId: string) => Promise<void>;
}

/** A burst of changes from other tabs is one look at the shelf. */
const REFRESH_DELAY_MS = 50;

/**
 * Deletes every draft of the shelf's user that no tab holds (sign-out), with its staged images: each is taken
 * first, so no tab opens it while it goes.
 */
export async function forgetUnheldDrafts(shelf: DraftShelf, discardBatch?: (batchId: string) => Promise<void>) {
  for (const { key, draft } of await shelf.list()) {
    const keeper = await shelf.take(key, () => undefined);
    if (!keeper) continue;
    const { batchId } = draft.upload;
    if (batchId) await discardBatch?.(batchId).catch(() => undefined);
    await keeper.clear().catch(() => undefined);
    keeper.release();
  }
}

/**
 * One user's drafts as this tab sees them: the one it edits (the newest no other tab holds, else a new one),
 * those other tabs hold (offered to continue here), and the hand-over when a tab asks for this one's draft or
 * takes it. One change at a time, in the order asked.
 */
export function createDraftTabs(deps: DraftTabsDeps) {
  const { shelf, actions } = deps;
  const guard = deps.guard ?? ((keeper: DraftKeeper) => keeper);
  /** The key of the draft this tab edits (or opens); null between one and the next. */
  let ownKey: string | null = null;
  /** Drafts this tab let go of to another tab: they "continue in another tab" rather than "are open" there. */
  const movedFromHere = new Set<string>();
  let closed = false;
  /** One change at a time, in the order asked. */
  const turns = new SerialQueue();
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;

  const inTurn = (change: () => Promise<void>) => turns.run(change);

  const refresh = async () => {
    const [listed, held] = await Promise.all([shelf.list(), shelf.heldKeys()]);
    if (!closed) actions.showDraftsElsewhere(draftsElsewhere(listed, held, ownKey, movedFromHere));
  };
  const refreshSoon = () => {
    if (closed) return;
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null;
      refresh().catch(() => undefined);
    }, REFRESH_DELAY_MS);
  };

  /** Not awaited: reading the draft back (asking the API about its batch) must not hold up the next change. */
  const open = (keeper: DraftKeeper) => {
    if (closed) return keeper.release();
    ownKey = keeper.key;
    void actions.openDraft(guard(keeper));
    refreshSoon();
  };
  const lost = (key: string) => () => void gone(key, "lost");
  /** A draft just let go of stays free for the tab that asked: this one starts a new one. */
  const openNew = async () => {
    const key = shelf.newKey();
    const keeper = await shelf.take(key, lost(key));
    if (keeper) open(keeper);
  };

  /** This tab's draft went to another tab: asked to let go ("keep": saved up to now), or taken ("lost"). */
  const gone = (key: string, how: "keep" | "lost") =>
    inTurn(async () => {
      if (closed || ownKey !== key) return;
      ownKey = null;
      movedFromHere.add(key);
      await actions.closeDraft(how);
      await openNew();
    });

  const unlisten = shelf.listen({
    letGo: (key) => void gone(key, "keep"),
    changed: refreshSoon,
  });

  return {
    /** Opens the newest draft no other tab holds, or a new one. */
    open: () =>
      inTurn(async () => {
        if (closed || ownKey !== null) return;
        const keeper = await takeFirstFree(shelf, (key) => void gone(key, "lost"));
        open(keeper);
      }),
    /**
     * Takes over a draft another tab holds, while this tab's form is empty: that tab is asked to save it and let
     * go (or it is taken from it when it does not answer), then it opens here.
     */
    continueHere: (key: string) =>
      inTurn(async () => {
        if (closed || ownKey === key || !isEmptyForm(deps.form())) return;
        shelf.askToLetGo(key);
        ownKey = null;
        movedFromHere.delete(key);
        // This tab's draft is empty: nothing of it is worth keeping (a batch whose images were all removed goes).
        await actions.closeDraft("forget");
        actions.showDraftsElsewhere([]);
        open(await shelf.takeOver(key, lost(key)));
      }),
    /** Lets go of this tab's draft ("keep") or deletes it and every draft no tab holds ("forget": sign-out). */
    close: (how: "keep" | "forget") => {
      closed = true;
      unlisten();
      if (refreshTimer) clearTimeout(refreshTimer);
      return inTurn(async () => {
        ownKey = null;
        await actions.closeDraft(how);
        actions.showDraftsElsewhere([]);
        if (how === "forget") await forgetUnheldDrafts(shelf, deps.discardBatch);
      });
    },
  };
}

export type DraftTabs = ReturnType<typeof createDraftTabs>;
