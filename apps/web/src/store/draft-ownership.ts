import { SerialQueue } from "@study-uploader/upload-engine";
import { writeDraftNow, type DraftKeeper } from "./draft-autosave.js";
import type { DraftShelf } from "./draft-shelf.js";
import { createDraftTabs, forgetUnheldDrafts, type DraftTabs, type DraftTabsDeps } from "./draft-tabs.js";

export interface DraftOwnershipDeps extends Pick<DraftTabsDeps, "actions" | "form" | "discardBatch"> {
  /** Where this owner's drafts are kept (IndexedDB in the browser). */
  shelfFor: (owner: string) => DraftShelf;
  /** Whose token the page holds now; null when it cannot tell (no answer, or a token that names no one). */
  currentOwner: () => Promise<string | null>;
}

/**
 * Which user's kept drafts the form works with: the access token's. When another owner is seen, the form lets
 * go of its draft (kept for its owner's return) and opens one of theirs; on sign-out, the drafts are deleted.
 * One change at a time, in the order asked.
 */
export function createDraftOwnership(deps: DraftOwnershipDeps) {
  /** The owner whose draft is open or opening; null before start and after a sign-out. */
  let shown: string | null = null;
  /** The shown owner's drafts in this tab. */
  let tabs: DraftTabs | null = null;
  let started = false;
  /** The owner the token named last (every one seen is reported): a write at once has no time to ask. */
  let latest: string | null = null;
  /** While a sign-out deletes the draft: the token may already name no one, and the deletion must still happen. */
  let signingOut = false;
  /** One change at a time, in the order asked. */
  const turns = new SerialQueue();

  const inTurn = (change: () => Promise<void>) => turns.run(change);

  /**
   * Writes only while the token still names this owner: what another user did never lands in their draft. The
   * answer can come after a later write at once (the page being hidden): the older write then goes nowhere.
   */
  const guardedKeeper = (owner: string, keeper: DraftKeeper): DraftKeeper => {
    let writes = 0;
    let newestStarted = 0;
    const mayWrite = async () => {
      if (signingOut) return true;
      const now = await deps.currentOwner();
      return now === null || now === owner;
    };
    const inOrder = async (write: () => Promise<void>) => {
      const call = ++writes;
      if (!(await mayWrite()) || call < newestStarted) return;
      newestStarted = call;
      await write();
    };
    return {
      ...keeper,
      save: (draft) => inOrder(() => keeper.save(draft)),
      clear: () => inOrder(() => keeper.clear()),
      writeNow(draft) {
        const call = ++writes;
        if (!signingOut && latest !== null && latest !== owner) return;
        newestStarted = call;
        writeDraftNow(keeper, draft);
      },
    };
  };

  const show = (owner: string) =>
    inTurn(async () => {
      if (owner === shown) return;
      await tabs?.close("keep");
      shown = owner;
      tabs = createDraftTabs({
        shelf: deps.shelfFor(owner),
        actions: deps.actions,
        form: deps.form,
        guard: (keeper) => guardedKeeper(owner, keeper),
        discardBatch: deps.discardBatch,
      });
      await tabs.open();
    });

  return {
    /** Opens a draft of whoever the token names now (once); from then on, every owner seen is followed. */
    async start() {
      if (started) return;
      started = true;
      const owner = await deps.currentOwner();
      if (owner !== null) await show(owner);
    },
    /** An owner the token provider just named (before start: ignored, start asks again). */
    ownerSeen(owner: string): Promise<void> {
      latest = owner;
      return started ? show(owner) : Promise.resolve();
    },
    /** Takes over a draft another tab holds (Continue here). */
    continueHere: (key: string) => tabs?.continueHere(key) ?? Promise.resolve(),
    /**
     * Stops this user's uploads and deletes the draft open here and every one of theirs no other tab holds (a
     * tab still editing one keeps it until its own sign-out); the next owner seen opens theirs.
     */
    signOut: () =>
      inTurn(async () => {
        const closing = tabs;
        // A tab that only browsed opened no draft: the token still names whose drafts go.
        const owner = started ? shown : await deps.currentOwner();
        shown = null;
        tabs = null;
        if (owner === null) return;
        signingOut = true;
        try {
          if (closing) await closing.close("forget");
          else await forgetUnheldDrafts(deps.shelfFor(owner), deps.discardBatch);
        } finally {
          signingOut = false;
        }
      }),
  };
}

export type DraftOwnership = ReturnType<typeof createDraftOwnership>;
