import { keptUpload, type UploadSnapshot } from "@study-uploader/upload-engine";
import type { StoreApi } from "zustand/vanilla";
import type { SavedDraft } from "./saved-draft.js";
import type { StudyDraftState } from "./study-draft-state.js";

/**
 * One draft kept between page loads (IndexedDB in the browser), held by this tab (a DraftShelf hands it out):
 * once released or taken by another tab, it writes nothing more.
 */
export interface DraftKeeper {
  /** The key it is kept under. */
  readonly key: string;
  load(): Promise<SavedDraft | null>;
  save(draft: SavedDraft): Promise<void>;
  clear(): Promise<void>;
  /**
   * Writes the draft (null: clears it) starting within this very task: a page being hidden or unloaded may run
   * no later one. Where absent, a save or clear as usual.
   */
  writeNow?(draft: SavedDraft | null): void;
  /** Lets go of the draft: another tab may take it. */
  release(): void;
}

/** Keeps `draft` (null: nothing worth keeping, so the kept one is cleared). */
export const writeDraft = (keeper: Pick<DraftKeeper, "save" | "clear">, draft: SavedDraft | null) =>
  draft ? keeper.save(draft) : keeper.clear();

/** The same, started within this task where the keeper can (`writeNow`); failures only mean it is not kept. */
export function writeDraftNow(keeper: DraftKeeper, draft: SavedDraft | null) {
  if (keeper.writeNow) keeper.writeNow(draft);
  else void writeDraft(keeper, draft).catch(() => undefined);
}

/** Saves are coalesced: a burst of edits (typing, progress) is one write this long after the last. */
const SAVE_DELAY_MS = 150;

/** Nothing typed or picked: such a draft is not kept, and another tab's draft may be offered instead. */
export const isEmptyForm = (state: Pick<StudyDraftState, "imageIds" | "title" | "description">) =>
  state.imageIds.length === 0 && state.title.trim() === "" && state.description.trim() === "";

/** The draft as it is kept, or null when there is nothing worth keeping (an empty form). */
export function savedDraftOf(
  state: StudyDraftState,
  upload: UploadSnapshot,
  expiresAt: number,
  savedAt: number,
): SavedDraft | null {
  if (isEmptyForm(state)) return null;
  const kept = keptUpload(upload);
  const inForm = new Set(state.imageIds);
  return {
    version: 2,
    title: state.title,
    description: state.description,
    expiresAt: state.expiresAt ?? expiresAt,
    savedAt,
    images: state.imageIds.map((id) => {
      const { file, label, thumbnail, handle } = state.images[id]!;
      const { name, size, type, lastModified } = file;
      return { id, file: { name, size, type, lastModified }, label, thumbnail, handle };
    }),
    upload: { ...kept, files: kept.files.filter((file) => inForm.has(file.id)) },
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
 * Keeps the saved draft in step with the form from `start` (after the saved one was read back) until `stop`: a
 * write follows each change, coalesced, one at a time, skipped when nothing kept changed; an empty form clears it.
 */
export function createDraftAutosave(
  store: StoreApi<StudyDraftState>,
  upload: { getSnapshot(): UploadSnapshot; subscribe(listener: () => void): () => void },
  defaultExpiry: () => number,
  wallClock: () => number = () => Date.now(),
) {
  let keeper: DraftKeeper | null = null;
  let unsubscribe: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let lastKey: string | null = null;
  /** A draft with no batch yet lives a staging TTL from when it was first kept. */
  let startedExpiry: number | null = null;
  /** Bumped by a write at once: a coalesced write still queued before it must not land on top of it. */
  let generation = 0;
  /** Writes begun and not done: while there are none and no change waits, the kept draft is the form. */
  let unfinished = 0;

  const write = () => {
    timer = null;
    const state = store.getState();
    if (state.draftAccess !== "open" || !keeper) return;
    const target = keeper;
    const draft = savedDraftOf(state, upload.getSnapshot(), (startedExpiry ??= defaultExpiry()), wallClock());
    if (draft === null) startedExpiry = null;
    const key = contentKey(draft);
    if (key === lastKey) return;
    lastKey = key;
    const queuedIn = generation;
    unfinished++;
    writing = writing
      .then(() => {
        if (queuedIn !== generation) return;
        return writeDraft(target, draft);
      })
      // A full disk or a blocked database must not break the form: the draft is then just not kept.
      .catch(() => undefined)
      .finally(() => unfinished--);
  };

  return {
    /** From `saved`, the draft as it was read: what the form holds beyond it (typed meanwhile) is written too. */
    start(to: DraftKeeper, saved: SavedDraft | null) {
      keeper = to;
      startedExpiry = null;
      lastKey = contentKey(saved);
      const schedule = () => {
        timer ??= setTimeout(write, SAVE_DELAY_MS);
      };
      const fromForm = store.subscribe(schedule);
      const fromUploads = upload.subscribe(schedule);
      unsubscribe = () => {
        fromForm();
        fromUploads();
      };
      schedule();
    },
    /**
     * Writes what the form holds now, at once (the page is being hidden: it may run no later task), unless the
     * kept draft already is just that (no change waits, no write is on its way).
     */
    flushNow() {
      const state = store.getState();
      const target = keeper;
      if (state.draftAccess !== "open" || !target || (!timer && unfinished === 0)) return;
      if (timer) clearTimeout(timer);
      timer = null;
      const draft = savedDraftOf(state, upload.getSnapshot(), (startedExpiry ??= defaultExpiry()), wallClock());
      lastKey = contentKey(draft);
      generation++;
      // Without a write at once, after the writes queued before (the generation keeps them off it).
      if (target.writeNow) target.writeNow(draft);
      else writing = writing.then(() => writeDraft(target, draft)).catch(() => undefined);
    },
    /**
     * Writes nothing more, after the change still waiting when `flush` (at once: what the form holds now);
     * resolves once the last write begun is done.
     */
    async stop(flush: boolean) {
      unsubscribe?.();
      unsubscribe = null;
      if (timer) {
        clearTimeout(timer);
        if (flush) write();
      }
      timer = null;
      keeper = null;
      await writing;
    },
  };
}
