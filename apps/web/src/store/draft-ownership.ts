import type { DraftKeeper } from "./draft-autosave.js";
import type { StudyDraftActions } from "./study-draft-state.js";

export interface DraftOwnershipDeps {
  actions: Pick<StudyDraftActions, "openDraft" | "closeDraft">;
  /** Where this owner's draft is kept (IndexedDB in the browser). */
  keeperFor: (owner: string) => DraftKeeper;
  /** Whose token the page holds now; null when it cannot tell (no answer, or a token that names no one). */
  currentOwner: () => Promise<string | null>;
}

/**
 * Which user's kept draft the form holds: the one the access token names. When another owner is seen, the form
 * lets go of the draft (kept for its owner's return) and opens theirs; on sign-out, the draft is deleted. One
 * change at a time, in the order asked.
 */
export function createDraftOwnership(deps: DraftOwnershipDeps) {
  /** The owner whose draft is open or opening; null before start and after a sign-out. */
  let shown: string | null = null;
  let started = false;
  /** While a sign-out deletes the draft: the token may already name no one, and the deletion must still happen. */
  let signingOut = false;
  let changes: Promise<void> = Promise.resolve();

  const inTurn = (change: () => Promise<void>) => {
    const turn = changes.then(change);
    changes = turn.catch(() => undefined);
    return turn;
  };

  /** Writes only while the token still names this owner: what another user did never lands in their draft. */
  const guardedKeeper = (owner: string): DraftKeeper => {
    const keeper = deps.keeperFor(owner);
    const mayWrite = async () => {
      if (signingOut) return true;
      const now = await deps.currentOwner();
      return now === null || now === owner;
    };
    return {
      ...keeper,
      async save(draft) {
        if (await mayWrite()) await keeper.save(draft);
      },
      async clear() {
        if (await mayWrite()) await keeper.clear();
      },
    };
  };

  const show = (owner: string) =>
    inTurn(async () => {
      if (owner === shown) return;
      if (shown !== null) await deps.actions.closeDraft("keep");
      shown = owner;
      // Not awaited: a draft another tab holds opens only once that tab lets go, and must not hold up a switch.
      void deps.actions.openDraft(guardedKeeper(owner));
    });

  return {
    /** Opens the draft of whoever the token names now; from then on, every owner seen is followed. */
    async start() {
      started = true;
      const owner = await deps.currentOwner();
      if (owner !== null) await show(owner);
    },
    /** An owner the token provider just named (before start: ignored, start asks again). */
    ownerSeen(owner: string): Promise<void> {
      return started ? show(owner) : Promise.resolve();
    },
    /** Stops this user's uploads and deletes their kept draft; the next owner seen opens theirs. */
    signOut: () =>
      inTurn(async () => {
        if (shown === null) return;
        shown = null;
        signingOut = true;
        await deps.actions.closeDraft("forget").finally(() => (signingOut = false));
      }),
  };
}

export type DraftOwnership = ReturnType<typeof createDraftOwnership>;
