import { errorMessage } from "@study-uploader/shared";
import type { CommitOutcome } from "@study-uploader/upload-engine";
import { createStore } from "zustand/vanilla";
import { createDraftAutosave } from "./draft-autosave.js";
import { draftMessages } from "./draft-messages.js";
import { draftPhase, needsFile, uploadingCount } from "./draft-selectors.js";
import { formProblems } from "./draft-validation.js";
import { stagingTtlMs, stateAfterFailedCommit, withImageMoved } from "./draft-images.js";
import { createImageActions } from "./draft-image-actions.js";
import { connectUploadSession, type StudyDraftDeps } from "./draft-upload-session.js";
import { createDraftOpening } from "./draft-opening.js";
import { readKeptFiles } from "./draft-restore.js";
import { emptyForm, type DraftImage, type StudyDraftActions, type StudyDraftState } from "./study-draft-state.js";

export type { StudyDraftDeps };

/**
 * The study form's state: what the researcher typed, picked, labelled and ordered, and whether its kept draft is
 * open yet. Images upload from the moment they are added; the study session (`state.session`) does the work and alone
 * knows how far each got: components read that from its snapshot.
 */
export function createStudyDraftStore(deps: StudyDraftDeps) {
  const wallClock = deps.wallClock ?? (() => Date.now());
  let nextImageNumber = 0;

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
      const keeper = opening.current();
      // The session commits once every image arrived (and a file picked just before the click is checked).
      const outcome = await session.commit({
        order: get().imageIds,
        details: () => {
          const { title, description, images } = get();
          return { title, description, labelOf: (id) => images[id]!.label };
        },
      });
      // Closed meanwhile (another user): the form is theirs now; its owner's kept draft tells the outcome.
      if (opening.current() === keeper) finish(outcome);
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

    const opening = createDraftOpening({
      deps,
      get,
      set,
      wallClock,
      session,
      autosave: () => autosave,
      addFiles: (files, handles) => actions.addFiles(files, handles),
      stopUploads,
      clearForm,
      noteImageNumber: (number) => (nextImageNumber = Math.max(nextImageNumber, number)),
    });

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
      openDraft: (keeper) => opening.open(keeper),
      closeDraft: (how) => opening.close(how),
      saveDraftNow: () => autosave.flushNow(),
      showDraftsElsewhere(draftsElsewhere) {
        set({ draftsElsewhere });
      },
      // Text can be typed from the first moment: a draft read back meanwhile keeps it.
      setTitle(title) {
        if (editing()) set({ title });
      },
      setDescription(description) {
        if (editing()) set({ description });
      },
      setLabel(imageId, label) {
        if (editable()) updateImage(imageId, () => ({ label }));
      },
      addFiles(files, handles) {
        if (get().draftAccess === "opening" && editing()) {
          opening.holdBack({ files, handles });
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
      pause(imageId) {
        session.pause(imageId === undefined ? undefined : (id) => id === imageId);
        set({ announcement: draftMessages.paused(imageId && get().images[imageId]?.file.name) });
      },
      resume(imageId) {
        session.resume(imageId === undefined ? undefined : (id) => id === imageId);
        set({ announcement: draftMessages.resumed(imageId && get().images[imageId]?.file.name) });
      },
    };

    return {
      ...emptyForm,
      config: null,
      configError: null,
      announcement: "",
      draftAccess: deps.keepsDrafts ? "opening" : "open",
      draftNotice: null,
      draftsElsewhere: [],
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
