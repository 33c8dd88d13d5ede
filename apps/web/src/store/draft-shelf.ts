import type { DraftKeeper } from "./draft-autosave.js";
import type { SavedDraft } from "./saved-draft.js";

/** One kept draft of a user, as listed: the key it is kept under and what it holds. */
export interface ListedDraft {
  key: string;
  draft: SavedDraft;
}

/**
 * One user's drafts in this browser (IndexedDB and Web Locks in the browser): one per tab that edits one, each
 * held by at most one tab at a time.
 */
export interface DraftShelf {
  /** The user's own key: the draft kept before several tabs could each have one, and the first new one. */
  readonly owner: string;
  /** Every draft the user keeps here, in no particular order. */
  list(): Promise<ListedDraft[]>;
  /** The keys of the drafts some tab holds now (this one included). */
  heldKeys(): Promise<ReadonlySet<string>>;
  /**
   * The draft under `key` when no tab holds it now, else null. `onLost`: another tab took it without asking
   * (its lock was stolen); nothing more is written to it from here.
   */
  take(key: string, onLost: () => void): Promise<DraftKeeper | null>;
  /**
   * The draft under `key` once the tab holding it lets go (ask it with `askToLetGo`), or taken from it when it
   * does not answer in time (a frozen tab).
   */
  takeOver(key: string, onLost: () => void): Promise<DraftKeeper>;
  /** A key no draft has yet: its lock is free by construction. */
  newKey(): string;
  /** Asks the tab holding `key` to save it and let go. */
  askToLetGo(key: string): void;
  /** Hears the other tabs: one asks to take over a draft, or a draft changed (saved, emptied, taken, let go). */
  listen(hear: { letGo(key: string): void; changed(): void }): () => void;
}

/** A draft another tab holds, offered to continue here. */
export interface DraftElsewhere {
  key: string;
  title: string;
  images: number;
  /** This tab let it go (a Continue here elsewhere): it "continues in another tab". */
  movedFromHere: boolean;
}

/** The key of a user's draft beside their own: `${owner}#${id}`. */
export const draftKeyOf = (owner: string, id: string) => `${owner}#${id}`;

/**
 * The keys of a user's drafts beside their own one, as a half-open range: `${owner}#…` up to `${owner}$`
 * ("$" follows "#"), so another owner whose key starts with this one ("alice2") is never included.
 */
export function draftKeyRange(owner: string): { lower: string; upperExclusive: string } {
  return { lower: `${owner}#`, upperExclusive: `${owner}$` };
}

/** Newest first (savedAt): the draft worked on last is the one a new tab most likely wants. */
export const newestFirst = (listed: readonly ListedDraft[]): ListedDraft[] =>
  [...listed].sort((a, b) => b.draft.savedAt - a.draft.savedAt);

const isEmpty = ({ draft }: ListedDraft) =>
  draft.images.length === 0 && draft.title.trim() === "" && draft.description.trim() === "";

/**
 * The drafts to offer this tab: kept with something in them, not its own, and held by another tab (or let go
 * from here, until it is taken back or emptied), newest first.
 */
export function draftsElsewhere(
  listed: readonly ListedDraft[],
  held: ReadonlySet<string>,
  own: string | null,
  movedFromHere: ReadonlySet<string>,
): DraftElsewhere[] {
  return newestFirst(listed)
    .filter((entry) => entry.key !== own && !isEmpty(entry))
    .filter(({ key }) => held.has(key) || movedFromHere.has(key))
    .map(({ key, draft }) => ({
      key,
      title: draft.title.trim(),
      images: draft.images.length,
      movedFromHere: movedFromHere.has(key),
    }));
}

/**
 * The draft a tab opens on the new-study page: the newest kept one no other tab holds; else the user's own key
 * when free (one tab keeps its draft where it always was); else a new one.
 */
export async function takeFirstFree(shelf: DraftShelf, onLost: (key: string) => void): Promise<DraftKeeper> {
  const listed = newestFirst(await shelf.list());
  const candidates = listed.map(({ key }) => key);
  if (!candidates.includes(shelf.owner)) candidates.push(shelf.owner);
  for (const key of candidates) {
    const keeper = await shelf.take(key, () => onLost(key));
    if (keeper) return keeper;
  }
  const key = shelf.newKey();
  const keeper = await shelf.take(key, () => onLost(key));
  if (!keeper) throw new Error(`The new draft ${key} is held elsewhere`);
  return keeper;
}
