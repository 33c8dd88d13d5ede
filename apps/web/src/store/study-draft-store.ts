import { errorMessage } from "@study-uploader/shared";
import type { CommitOutcome } from "@study-uploader/upload-engine";
import { createStore } from "zustand/vanilla";
import { createDraftAutosave, type DraftKeeper } from "./draft-autosave.js";
import { draftMessages } from "./draft-messages.js";
import { draftPhase, needsFile, uploadingCount } from "./draft-selectors.js";
import { formProblems } from "./draft-validation.js";
import { imageNumber, stagingTtlMs, stateAfterFailedCommit, withImageMoved } from "./draft-images.js";
import { createImageActions } from "./draft-image-actions.js";
import { connectUploadSession, type StudyDraftDeps } from "./draft-upload-session.js";
import { keepingTypedText, readBackDraft, readKeptFiles, stateOfRestoredDraft } from "./draft-restore.js";
import type { KeptFileHandle, SavedDraft } from "./saved-draft.js";
import { emptyForm, type DraftImage, type StudyDraftActions, type StudyDraftState } from "./study-draft-state.js";

export type { StudyDraftDeps };

/**
 * The study form's state: what the researcher typed, picked, labelled and ordered, and whether this tab holds the
 * draft. Images upload from the moment they are added; the study session (`state.session`) does the work and alone
 * knows how far each got: components read that from its snapshot.
 */
export function createStudyDraftStore(deps: StudyDraftDeps) {
  const wallClock = deps.wallClock ?? (() => Date.now());
  /** Files added while the saved draft is still being read: they join it once it is back. */
  let addedWhileOpening: { files: readonly File[]; handles?: readonly Promise<KeptFileHandle | null>[] }[] = [];
  let nextImageNumber = 0;
  /** The kept draft the form is open on, or opening: an opening it no longer is stops where it is. */
  let openKeeper: DraftKeeper | null = null;

  const store = createStore<StudyDraftState>()((set, get) => {
    const updateImage = (id: string, change: (image: DraftImage) => Partial<DraftImage>) =>
      set((state) => {
        const image = state.images[id];
        return image ? { images: { ...state.images, [id]: { ...image, ...change(image) } } } : {};
      });

    const { session, resizePool, send } = connectUploadSession(deps, { get, set, updateImage, wallClock });
    const upload = () => session.getSnapshot();

    const finish = (outcome: CommitOutcome) => {
      if (outcome.kind === "committed") {
        clearForm(draftMessages.committed(outcome.study.title));
        deps.onStudyCommitted(outcome.study);
        return;
      }
      set(stateAfterFailedCommit(outcome));
    };

    /** Empties the form for the next study; the autosave then clears the saved draft. */
    const clearForm = (announcement: string) => {
      imageActions.forgetRemoval();
      for (const image of Object.values(get().images)) if (image.previewUrl) deps.previews.revoke(image.previewUrl);
      set({ ...emptyForm, announcement });
    };

    /** Stops the uploads; `dropBatch` also deletes the batch's staged blobs (or the sweep does, at expiry). */
    const stopUploads = (dropBatch: boolean) => {
      const { batchId } = upload();
      session.discard();
      if (dropBatch && batchId) deps.api.discardBatch(batchId).catch(() => undefined);
    };

    const editing = () => draftPhase(upload()) === "editing";
    const editable = () => editing() && get().draftAccess === "open";
    /** Text can be typed from the first moment (a restored draft keeps it), not while another tab holds the draft. */
    const typable = () => editing() && get().draftAccess !== "other-tab";

    const imageActions = createImageActions({
      get,
      set,
      updateImage,
      wallClock,
      session,
      send,
      previews: deps.previews,
      hashMd5: deps.hashMd5,
      editable,
      newId: () => `image-${++nextImageNumber}`,
      undoWindowMs: deps.undoWindowMs,
    });

    /** Brings back a draft saved before this page was opened, as far as storage still holds it. */
    const takeBack = async (saved: SavedDraft, keeper: DraftKeeper) => {
      const restored = await readBackDraft(saved, { api: deps.api, drafts: keeper, now: wallClock() });
      if (openKeeper !== keeper) return;
      if (restored.kind === "restored") {
        const { batchId } = saved.upload;
        if (batchId) session.restore(batchId, restored.sessionFiles);
        for (const image of restored.images) nextImageNumber = Math.max(nextImageNumber, imageNumber(image.id));
      }
      const back = stateOfRestoredDraft(restored, stagingTtlMs(get().config), (blob) => deps.previews.create(blob));
      set(keepingTypedText(back, get()));
    };

    const createStudy = async () => {
      if (!editable() || formProblems(get(), upload()).length > 0 || !get().config) return;
      // A removal Undo could take back is final once the study is on its way.
      imageActions.settleRemoval();
      const pending = uploadingCount(get(), upload());
      set({
        commitRequested: true,
        formError: null,
        announcement: pending > 0 ? draftMessages.waiting(pending) : draftMessages.committing,
      });
      const keeper = openKeeper;
      // The session commits once every image arrived (and a file picked just before the click is checked).
      const outcome = await session.commit({
        order: get().imageIds,
        details: () => {
          const { title, description, images } = get();
          return { title, description, labelOf: (id) => images[id]!.label };
        },
      });
      // Closed meanwhile (another user): the form is theirs now; its owner's kept draft tells the outcome.
      if (openKeeper === keeper) finish(outcome);
    };

    /** A retry that leaves nothing failed carries on with the commit the researcher already asked for. */
    const retry = async (only?: (id: string) => boolean) => {
      if (!editable()) return;
      set({ formError: null });
      session.retry(only);
      const { commitRequested, imageIds } = get();
      const stillFailed = imageIds.some((id) => upload().files[id]?.state.kind === "failed");
      if (commitRequested && !stillFailed) await createStudy();
    };

    const actions: StudyDraftActions = {
      async loadConfig() {
        try {
          const config = await deps.api.getConfig();
          set({ config, configError: null });
          resizePool();
          send(get().imageIds);
        } catch (error) {
          set({ configError: draftMessages.configFailed(errorMessage(error)) });
        }
      },
      async openDraft(keeper) {
        if (openKeeper || get().draftAccess !== "opening") return;
        openKeeper = keeper;
        const closed = () => openKeeper !== keeper;
        await keeper.claim(() => {
          if (!closed())
            set({ draftAccess: "other-tab", draftNotice: { message: draftMessages.otherTab, studyId: null } });
        });
        if (closed()) return;
        // Another tab may have let go with the notice up: it no longer applies.
        if (get().draftAccess === "other-tab") set({ draftNotice: null });
        const saved = await keeper.load().catch(() => null);
        if (saved && !closed()) await takeBack(saved, keeper);
        if (closed()) return;
        set({ draftAccess: "open" });
        autosave.start(keeper, saved);
        const waiting = addedWhileOpening;
        addedWhileOpening = [];
        for (const { files, handles } of waiting) actions.addFiles(files, handles);
      },
      async closeDraft(how) {
        const keeper = openKeeper;
        if (!keeper) return;
        openKeeper = null;
        await autosave.stop();
        // Kept for its owner, the batch stays for the draft to resume; forgotten, both go.
        stopUploads(how === "forget");
        if (how === "forget") await keeper.clear().catch(() => undefined);
        keeper.release();
        addedWhileOpening = [];
        clearForm("");
        set({ draftAccess: "opening", draftNotice: null });
      },
      setTitle(title) {
        if (typable()) set({ title });
      },
      setDescription(description) {
        if (typable()) set({ description });
      },
      setLabel(imageId, label) {
        if (editable()) updateImage(imageId, () => ({ label }));
      },
      addFiles(files, handles) {
        if (get().draftAccess === "opening" && editing()) {
          addedWhileOpening.push({ files, handles });
          return;
        }
        if (!editable() || files.length === 0) return;
        imageActions.addFiles(files, handles);
      },
      async resumeFromHandles() {
        if (!editable()) return;
        const { imageIds } = get();
        const waiting = (id: string) => {
          const image = get().images[id];
          return image !== undefined && needsFile(image, upload().files[id]);
        };
        const found = await readKeptFiles(imageIds.filter(waiting).map((id) => get().images[id]!));
        imageActions.attachFiles(found.filter(({ id }) => waiting(id)));
      },
      moveImage(imageId, position) {
        const reordered = withImageMoved(get().imageIds, imageId, position);
        if (!editable() || !reordered) return;
        const { name } = get().images[imageId]!.file;
        const to = reordered.indexOf(imageId) + 1;
        set({ imageIds: reordered, announcement: draftMessages.moved(name, to, reordered.length) });
      },
      discardDraft() {
        if (!editable()) return;
        stopUploads(true);
        clearForm(draftMessages.discarded);
        set({ draftNotice: null });
      },
      dismissNotice() {
        set({ draftNotice: null });
      },
      removeImage: imageActions.removeImage,
      undoRemove: imageActions.undoRemove,
      removeRejected: imageActions.removeRejected,
      dismissPickNotice: imageActions.dismissPickNotice,
      createStudy,
      retryFailed: () => retry(),
      retryImage: (imageId) => retry((id) => id === imageId),
      cancel() {
        if (!session.cancelCommit()) return;
        set({ commitRequested: false, announcement: draftMessages.cancelled });
      },
    };

    return {
      ...emptyForm,
      config: null,
      configError: null,
      announcement: "",
      draftAccess: deps.keepsDrafts ? "opening" : "open",
      draftNotice: null,
      session,
      actions,
    };
  });

  const autosave = createDraftAutosave(
    store,
    store.getState().session,
    () => wallClock() + stagingTtlMs(store.getState().config),
  );
  return store;
}

export type StudyDraftStore = ReturnType<typeof createStudyDraftStore>;
