import type { StoreApi } from "zustand/vanilla";
import type { SavedDraft } from "./saved-draft.js";
import type { StudyDraftState } from "./study-draft-state.js";

/** Where the draft is kept between page loads (IndexedDB in the browser), one tab at a time. */
export interface DraftKeeper {
  /** Resolves once this tab may edit the draft; calls `onHeldElsewhere` first when another tab holds it now. */
  claim(onHeldElsewhere: () => void): Promise<void>;
  load(): Promise<SavedDraft | null>;
  save(draft: SavedDraft): Promise<void>;
  clear(): Promise<void>;
}

/** Saves are coalesced: a burst of edits (typing, progress) is one write this long after the last. */
const SAVE_DELAY_MS = 150;

/** The draft as it is kept, or null when there is nothing worth keeping (an empty form). */
export function savedDraftOf(state: StudyDraftState, expiresAt: number, savedAt: number): SavedDraft | null {
  if (state.imageIds.length === 0 && state.title.trim() === "" && state.description.trim() === "") return null;
  return {
    version: 1,
    title: state.title,
    description: state.description,
    batchId: state.batchId,
    expiresAt: state.expiresAt ?? expiresAt,
    savedAt,
    images: state.imageIds.map((id) => {
      const image = state.images[id]!;
      return {
        id,
        file: {
          name: image.file.name,
          size: image.file.size,
          type: image.file.type,
          lastModified: image.file.lastModified,
        },
        label: image.label,
        batchIndex: image.batchIndex,
        md5: image.md5,
        uploaded: image.status === "done",
        thumbnail: image.thumbnail,
        handle: image.handle,
      };
    }),
  };
}

/** What decides whether a write is needed: everything but the time it is written. */
const contentKey = (draft: SavedDraft | null) =>
  draft === null
    ? "empty"
    : JSON.stringify({ ...draft, savedAt: 0 }, (_key, value: unknown) =>
        value instanceof Blob
          ? `blob:${value.size}`
          : typeof value === "object" && value && "getFile" in value
            ? "handle"
            : value,
      );

/**
 * Keeps the saved draft in step with the form once `start` is called (after the saved one was read back): a
 * write follows each change, coalesced, one at a time, skipped when nothing kept changed; an empty form clears it.
 */
export function createDraftAutosave(
  store: StoreApi<StudyDraftState>,
  keeper: DraftKeeper | undefined,
  defaultExpiry: () => number,
  wallClock: () => number = () => Date.now(),
) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let lastKey: string | null = null;
  /** A draft with no batch yet lives a staging TTL from when it was first kept. */
  let startedExpiry: number | null = null;

  const write = () => {
    timer = null;
    const state = store.getState();
    if (state.draftAccess !== "open" || !keeper) return;
    const draft = savedDraftOf(state, (startedExpiry ??= defaultExpiry()), wallClock());
    if (draft === null) startedExpiry = null;
    const key = contentKey(draft);
    if (key === lastKey) return;
    lastKey = key;
    writing = writing
      .then(() => (draft ? keeper.save(draft) : keeper.clear()))
      // A full disk or a blocked database must not break the form: the draft is then just not kept.
      .catch(() => undefined);
  };

  return {
    start() {
      if (!keeper) return;
      lastKey = contentKey(savedDraftOf(store.getState(), 0, 0));
      store.subscribe(() => {
        timer ??= setTimeout(write, SAVE_DELAY_MS);
      });
    },
  };
}
