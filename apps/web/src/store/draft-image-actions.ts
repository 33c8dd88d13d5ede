import type { StudySession } from "@study-uploader/upload-engine";
import { draftMessages } from "./draft-messages.js";
import { pickNoticeLines, pickNoticeOf, sortPicked, withoutAlreadyAdded } from "./draft-picking.js";
import { needsFile } from "./draft-selectors.js";
import { imageProblem, isRefused } from "./draft-validation.js";
import { newImage, withFileBack } from "./draft-images.js";
import type { DraftStoreAccess } from "./draft-upload-session.js";
import type { KeptFileHandle } from "./saved-draft.js";
import type { DraftImage } from "./study-draft-state.js";

/** How long Undo is offered after a Remove: long enough to notice, short enough that the upload does not linger. */
export const UNDO_REMOVE_MS = 8_000;

interface ImageActionDeps extends DraftStoreAccess {
  session: StudySession;
  previews: { create(file: Blob): string; revoke(url: string): void };
  hashMd5: (file: Blob) => Promise<string>;
  /** Hands the session these images, as many as the batch may hold. */
  send: (ids: readonly string[]) => void;
  /** The form may be changed now: editing, and this tab holds the draft. */
  editable: () => boolean;
  newId: () => string;
  /** How long Undo is offered (UNDO_REMOVE_MS unless a test says otherwise). */
  undoWindowMs?: number;
}

/**
 * Adding, removing (with Undo) and de-duplicating the draft's images. A removed image leaves the list at once.
 * An arrived one keeps its staged copy until Undo is no longer offered, so Undo puts it back as it was; one still
 * on its way stops at once (its bandwidth goes to the others), and Undo sends it again.
 */
export function createImageActions(deps: ImageActionDeps) {
  const { get, set, session } = deps;
  const upload = () => session.getSnapshot();
  let undoTimer: ReturnType<typeof setTimeout> | null = null;

  const dropPreview = (image: DraftImage) => {
    if (image.previewUrl) deps.previews.revoke(image.previewUrl);
  };

  /** Ends the image's upload and deletes its staged copy; images held back by the batch's limits may fit now. */
  const stopUpload = (image: DraftImage) => {
    // If the delete fails, the sweep removes the staged blob when the batch expires.
    session.remove(image.id).catch(() => undefined);
    deps.send(get().imageIds);
  };

  /** The Remove that Undo could still take back becomes final. */
  const settleRemoval = () => {
    const { removed } = get();
    if (undoTimer !== null) clearTimeout(undoTimer);
    undoTimer = null;
    if (!removed) return;
    set({ removed: null });
    dropPreview(removed.image);
    if (removed.keptUpload) stopUpload(removed.image);
  };

  const takeOut = (ids: readonly string[]) =>
    set((state) => {
      const images = { ...state.images };
      for (const id of ids) delete images[id];
      return { images, imageIds: state.imageIds.filter((id) => !ids.includes(id)) };
    });

  /** Gives restored images their files back; each is checked, then resumed in place. */
  const attachFiles = (matched: readonly { id: string; file: File }[]) => {
    if (matched.length === 0) return;
    set((state) => {
      const images = { ...state.images };
      for (const { id, file } of matched) {
        const image = images[id]!;
        dropPreview(image);
        images[id] = withFileBack(image, file, deps.previews.create(file));
      }
      return { images };
    });
    deps.send(matched.map((m) => m.id));
  };

  /**
   * A file taken for one the list holds (same name, size and last change) is hashed to confirm it, once the row
   * it matched has a hash: other bytes make it another image after all, added then.
   */
  const confirmSame = async (file: File, holderId: string) => {
    const held = upload().files[holderId]?.state;
    // A large file being hashed while it is sent has no MD5 yet (""): nothing to compare with.
    const heldMd5 = held && "md5" in held ? held.md5 : null;
    if (!heldMd5) return;
    const md5 = await deps.hashMd5(file).catch(() => null);
    if (md5 === null || md5 === heldMd5 || !get().images[holderId]) return;
    const id = deps.newId();
    set((state) => ({
      images: { ...state.images, [id]: newImage(id, file, deps.previews.create(file)) },
      imageIds: [...state.imageIds, id],
      pickNotice: withoutAlreadyAdded(state.pickNotice, file.name, holderId),
      announcement: draftMessages.notSameAfterAll(file.name),
    }));
    deps.send([id]);
  };

  return {
    settleRemoval,
    attachFiles,

    /** Clears Undo without touching the session: the form is emptied (created, discarded or closed). */
    forgetRemoval: () => {
      if (undoTimer !== null) clearTimeout(undoTimer);
      undoTimer = null;
      const { removed } = get();
      if (removed) dropPreview(removed.image);
    },

    /** Sorts a pick: bytes back for restored images, new rows, and what was left out (said above the list). */
    addFiles: (files: readonly File[], handles?: readonly Promise<KeptFileHandle | null>[]) => {
      // The batch must have the room a removed image still holds: Undo ends with the next pick.
      settleRemoval();
      const { config, imageIds, images } = get();
      const listed = imageIds.map((id) => {
        const image = images[id]!;
        return {
          id,
          file: image.file,
          waiting: needsFile(image, upload().files[id]),
          counted: !isRefused(get().config, image, upload()),
        };
      });
      // Before the limits are known, every file is taken; the form's checks say what is over them.
      const sorted = config
        ? sortPicked(listed, files, config, (file) => imageProblem(file, config) !== null, deps.newId)
        : sortPicked(listed, files, { maxFiles: Infinity }, () => false, deps.newId);
      const added = Object.fromEntries(
        sorted.added.map(({ id, file }) => [id, newImage(id, file, deps.previews.create(file))]),
      );
      const taken = sorted.matched.length + sorted.added.length;
      const notice = pickNoticeOf(sorted, config ?? { maxFiles: Infinity });
      const said = [
        ...(taken > 0 ? [`${draftMessages.added(taken)}${notice ? "." : ""}`] : []),
        ...(notice ? pickNoticeLines(notice) : []),
      ];
      attachFiles(sorted.matched);
      set((state) => ({
        images: { ...state.images, ...added },
        imageIds: [...state.imageIds, ...Object.keys(added)],
        pickNotice: notice,
      }));
      deps.send(Object.keys(added));
      // After sending, whose "Uploading" this says in full.
      set({ announcement: said.join(" ") });
      for (const { file, id } of sorted.alreadyAdded) void confirmSame(file, id);
      // Kept handles let a reload resume these files without picking them again.
      const idOf = new Map<File, string>([...sorted.matched, ...sorted.added].map(({ id, file }) => [file, id]));
      handles?.forEach((kept, i) => {
        const id = idOf.get(files[i]!);
        if (id) void kept.then((handle) => handle && deps.updateImage(id, () => ({ handle })));
      });
    },

    /** Takes the image out of the list; Undo can put it back for a few seconds. */
    removeImage: (imageId: string) => {
      const { images, imageIds } = get();
      const image = images[imageId];
      if (!deps.editable() || !image) return;
      settleRemoval();
      const keptUpload = upload().files[imageId]?.state.kind === "uploaded";
      takeOut([imageId]);
      if (!keptUpload) stopUpload(image);
      set({
        removed: { image, position: imageIds.indexOf(imageId), keptUpload },
        announcement: draftMessages.removed(image.file.name),
      });
      undoTimer = setTimeout(settleRemoval, deps.undoWindowMs ?? UNDO_REMOVE_MS);
    },

    undoRemove: () => {
      const { removed } = get();
      if (!deps.editable() || !removed) return;
      if (undoTimer !== null) clearTimeout(undoTimer);
      undoTimer = null;
      const { image, position, keptUpload } = removed;
      set((state) => {
        const imageIds = [...state.imageIds];
        imageIds.splice(Math.min(position, imageIds.length), 0, image.id);
        return {
          imageIds,
          images: { ...state.images, [image.id]: image },
          removed: null,
          announcement: draftMessages.restored(image.file.name),
        };
      });
      if (!keptUpload) deps.send([image.id]);
    },

    /** Every row that will not be sent (wrong type, too large, not the image its type says) goes at once. */
    removeRejected: () => {
      if (!deps.editable()) return;
      const { imageIds, images } = get();
      const rejected = imageIds.map((id) => images[id]!).filter((image) => isRefused(get().config, image, upload()));
      if (rejected.length === 0) return;
      takeOut(rejected.map((image) => image.id));
      set({ announcement: draftMessages.rejectedRemoved(rejected.length) });
      for (const image of rejected) {
        dropPreview(image);
        stopUpload(image);
      }
    },

    dismissPickNotice: () => set({ pickNotice: null }),
  };
}

export type ImageActions = ReturnType<typeof createImageActions>;
