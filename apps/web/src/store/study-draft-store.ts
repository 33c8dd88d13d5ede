import { labelFromFileName, type ApiClient, type ImageType, type Study } from "@study-uploader/shared";
import {
  createProgressBatcher,
  createStudySession,
  TransferRateMeter,
  type BlobTransport,
  type FileUploadState,
  type FrameScheduler,
  type Md5Hasher,
  type RetryOptions,
  type SessionFile,
  type SubmitOutcome,
} from "@study-uploader/upload-engine";
import { createStore } from "zustand/vanilla";
import { draftMessages } from "./draft-messages.js";
import { sentBytes } from "./draft-selectors.js";
import { formProblems } from "./draft-validation.js";
import type { DraftImage, DraftImages, StudyDraftActions, StudyDraftState } from "./study-draft-state.js";

export interface StudyDraftDeps {
  api: Pick<ApiClient, "getConfig" | "createBatch" | "refreshBatch" | "commitStudy">;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  scheduleFrame: FrameScheduler;
  previews: { create(file: File): string; revoke(url: string): void };
  onStudyCommitted(study: Study): void;
  retry?: Partial<RetryOptions>;
  now?: () => number;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The form's images as the study session sees them (the form checked their types before they get here). */
const sessionFiles = (state: DraftImages): SessionFile[] =>
  state.imageIds.map((id) => {
    const { file } = state.images[id]!;
    return { id, body: file, name: file.name, type: file.type as ImageType };
  });

/** A new set of images needs a new batch; uploads of the old one no longer count. */
function forgetBatch(images: Record<string, DraftImage>): Pick<StudyDraftState, "batch" | "images" | "formError"> {
  const reset: Record<string, DraftImage> = {};
  for (const [id, image] of Object.entries(images)) {
    reset[id] = { ...image, status: "queued", attempt: 0, statusReason: null, sentBytes: 0 };
  }
  return { batch: null, images: reset, formError: null };
}

/** How one upload state shows in a row. */
function imageChange(image: DraftImage, state: FileUploadState): Partial<DraftImage> {
  switch (state.status) {
    case "queued":
      return { status: "queued", statusReason: null };
    case "uploading":
      return { status: "uploading", attempt: state.attempt, statusReason: null };
    case "retrying":
      return { status: "retrying", attempt: state.attempt, statusReason: state.reason };
    case "done":
      return { status: "done", statusReason: null, sentBytes: image.file.size };
    case "failed":
      return { status: "failed", statusReason: state.reason };
  }
}

/**
 * The study form's state: what the researcher typed and picked, and each image's upload as the study session
 * reports it. The session does the work; this store turns its events into state the components select from.
 */
export function createStudyDraftStore(deps: StudyDraftDeps) {
  const now = deps.now ?? (() => performance.now());
  let nextImageNumber = 0;
  const rate = new TransferRateMeter();

  return createStore<StudyDraftState>()((set, get) => {
    const updateImage = (id: string, change: (image: DraftImage) => Partial<DraftImage>) =>
      set((state) => {
        const image = state.images[id];
        return image ? { images: { ...state.images, [id]: { ...image, ...change(image) } } } : {};
      });

    const progress = createProgressBatcher<string>((latest) => {
      set((state) => {
        const images = { ...state.images };
        for (const [id, sent] of latest) {
          const image = images[id];
          // A frame delivered after "done" must not pull the bar back below the file size.
          if (image && sent > image.sentBytes) images[id] = { ...image, sentBytes: sent };
        }
        return { images };
      });
      rate.record(now(), sentBytes(get()));
      set({ bytesPerSecond: rate.bytesPerSecond() });
    }, deps.scheduleFrame);

    const session = createStudySession({
      api: deps.api,
      transport: deps.transport,
      hashMd5: deps.hashMd5,
      retry: deps.retry,
      events: {
        onBatchCreated: (id, imageIds) => set({ batch: { id, imageIds } }),
        onUploadStarted: (ids) => {
          rate.reset();
          rate.record(now(), sentBytes(get()));
          set({ bytesPerSecond: null, announcement: draftMessages.uploading(ids.length) });
        },
        onFileHashed: (id, md5) => updateImage(id, () => ({ md5 })),
        onFileProgress: (id, sent) => progress.report(id, sent),
        onFileState: (id, state) => {
          progress.flush();
          updateImage(id, (image) => imageChange(image, state));
          if (state.status === "failed" && get().phase === "uploading") {
            set({ announcement: draftMessages.fileFailed(get().images[id]?.file.name ?? id, state.reason) });
          }
        },
        onCommitStarted: () => set({ phase: "committing", announcement: draftMessages.committing }),
      },
    });

    const prepareBatch = () => {
      const state = get();
      if (state.phase !== "editing" || state.batch || !state.config || formProblems(state).length > 0) return;
      session.prepare(sessionFiles(state), state.config.sasTtlSeconds);
    };

    const finish = (outcome: SubmitOutcome) => {
      switch (outcome.kind) {
        case "committed": {
          for (const image of Object.values(get().images)) deps.previews.revoke(image.previewUrl);
          set({
            title: "",
            description: "",
            imageIds: [],
            images: {},
            batch: null,
            phase: "editing",
            formError: null,
            bytesPerSecond: null,
            announcement: draftMessages.committed(outcome.study.title),
          });
          deps.onStudyCommitted(outcome.study);
          return;
        }
        case "files-failed":
          set({ phase: "editing", announcement: draftMessages.filesFailed(outcome.failedIds.length) });
          return;
        case "refused":
          // The server's refusal already says "Not committed" and names the files.
          set({ phase: "editing", formError: outcome.message, announcement: outcome.message });
          return;
        case "error": {
          const message = (outcome.stage === "start" ? draftMessages.startFailed : draftMessages.commitFailed)(
            outcome.message,
          );
          set({ phase: "editing", formError: message, announcement: message });
          return;
        }
        case "incomplete":
          set({ phase: "editing" });
          return;
        case "cancelled":
          // Cancel already put the form back; a newer run may own it by now.
          return;
      }
    };

    /** One run: upload the chosen images that have not arrived, commit when all have. */
    const submit = async (only?: (id: string) => boolean) => {
      const state = get();
      if (state.phase !== "editing" || formProblems(state).length > 0 || !state.config) return;
      set({ phase: "uploading", formError: null });
      const outcome = await session.submit({
        files: sessionFiles(state),
        only,
        concurrency: state.config.concurrency,
        details: () => {
          const { title, description, images } = get();
          return { title, description, labelOf: (id) => images[id]!.label };
        },
      });
      finish(outcome);
    };

    const actions: StudyDraftActions = {
      async loadConfig() {
        try {
          set({ config: await deps.api.getConfig(), configError: null });
          prepareBatch();
        } catch (error) {
          set({ configError: draftMessages.configFailed(errorMessage(error)) });
        }
      },
      setTitle(title) {
        set({ title });
        prepareBatch();
      },
      setDescription(description) {
        set({ description });
        prepareBatch();
      },
      setLabel(imageId, label) {
        updateImage(imageId, () => ({ label }));
        prepareBatch();
      },
      addFiles(files) {
        if (get().phase !== "editing" || files.length === 0) return;
        const added: Record<string, DraftImage> = {};
        for (const file of files) {
          const id = `image-${++nextImageNumber}`;
          added[id] = {
            id,
            file,
            previewUrl: deps.previews.create(file),
            label: labelFromFileName(file.name),
            status: "queued",
            attempt: 0,
            statusReason: null,
            sentBytes: 0,
            md5: null,
          };
        }
        set((state) => ({
          ...forgetBatch({ ...state.images, ...added }),
          imageIds: [...state.imageIds, ...Object.keys(added)],
          announcement: draftMessages.added(files.length),
        }));
        prepareBatch();
      },
      removeImage(imageId) {
        const { phase, images } = get();
        const image = images[imageId];
        if (phase !== "editing" || !image) return;
        deps.previews.revoke(image.previewUrl);
        const { [imageId]: _removed, ...rest } = images;
        set((state) => ({
          ...forgetBatch(rest),
          imageIds: state.imageIds.filter((id) => id !== imageId),
          announcement: draftMessages.removed(image.file.name),
        }));
        prepareBatch();
      },
      createStudy: () => submit(),
      retryFailed: () => submit(),
      retryImage: (imageId) => submit((id) => id === imageId),
      cancel() {
        if (get().phase !== "uploading" || !session.cancel()) return;
        progress.flush();
        set((state) => {
          const images = { ...state.images };
          for (const [id, image] of Object.entries(images)) {
            if (image.status === "uploading" || image.status === "retrying") {
              images[id] = { ...image, status: "queued", statusReason: null };
            }
          }
          return { images, phase: "editing", bytesPerSecond: null, announcement: draftMessages.cancelled };
        });
      },
    };

    return {
      config: null,
      configError: null,
      title: "",
      description: "",
      imageIds: [],
      images: {},
      phase: "editing",
      batch: null,
      formError: null,
      announcement: "",
      bytesPerSecond: null,
      actions,
    };
  });
}

export type StudyDraftStore = ReturnType<typeof createStudyDraftStore>;
