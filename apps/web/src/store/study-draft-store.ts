import {
  fileNameProblem,
  labelFromFileName,
  labelSchema,
  titleSchema,
  descriptionSchema,
  type CreateBatchRequest,
  type CreateBatchResponse,
  type Study,
  type UploadConfig,
} from "@study-uploader/shared";
import { createStore } from "zustand/vanilla";
import { ApiRequestError, type ApiClient } from "@study-uploader/shared";
import {
  createProgressBatcher,
  TransferRateMeter,
  uploadBatch,
  type BlobTransport,
  type FileUploadState,
  type FrameScheduler,
  type Md5Hasher,
  type RetryOptions,
  type UploadTargets,
} from "@study-uploader/upload-engine";
import { formatBytes, imageTypeNames } from "../format.js";

export type UploadStatus = FileUploadState["status"];

export interface DraftImage {
  id: string;
  file: File;
  previewUrl: string;
  label: string;
  status: UploadStatus;
  attempt: number;
  /** Why the file is being retried or failed, in words. */
  statusReason: string | null;
  /** Never decreases while the image belongs to the same batch. */
  sentBytes: number;
  md5: string | null;
}

/** The server-side batch the current images were announced in; index i of the batch is imageIds[i]. */
export interface BatchSession {
  id: string;
  imageIds: readonly string[];
}

export type DraftPhase = "editing" | "uploading" | "committing";

export interface StudyDraftActions {
  loadConfig(): Promise<void>;
  setTitle(title: string): void;
  setDescription(description: string): void;
  setLabel(imageId: string, label: string): void;
  addFiles(files: readonly File[]): void;
  removeImage(imageId: string): void;
  /** Uploads every image that has not arrived yet, then commits. */
  createStudy(): Promise<void>;
  /** The same for failed images only (and a commit that failed): done images are never sent again. */
  retryFailed(): Promise<void>;
  retryImage(imageId: string): Promise<void>;
  cancel(): void;
}

export interface StudyDraftState {
  config: UploadConfig | null;
  configError: string | null;
  title: string;
  description: string;
  imageIds: string[];
  images: Record<string, DraftImage>;
  phase: DraftPhase;
  batch: BatchSession | null;
  /** Why the last try to create the study stopped (batch request or commit), for the whole form. */
  formError: string | null;
  /** The latest status message for the polite live region. */
  announcement: string;
  bytesPerSecond: number | null;
  actions: StudyDraftActions;
}

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

/** Why this file cannot be sent, checked before anything goes out; null when it may be uploaded. */
export function imageProblem(file: File, config: UploadConfig): string | null {
  const nameProblem = fileNameProblem(file.name);
  if (nameProblem) return `Bad file name: ${nameProblem}`;
  if (!(config.allowedTypes as readonly string[]).includes(file.type)) {
    return `Not an allowed image type (${file.type || "unknown type"}); use ${imageTypeNames(config.allowedTypes)}`;
  }
  if (file.size === 0) return "The file is empty";
  if (file.size > config.maxFileBytes)
    return `Too large: ${formatBytes(file.size)}, the limit is ${formatBytes(config.maxFileBytes)}`;
  return null;
}

export function labelProblem(label: string): string | null {
  const parsed = labelSchema.safeParse(label);
  return parsed.success ? null : `Label: ${parsed.error.issues[0]?.message ?? "invalid"}`;
}

/** What keeps the form from being submitted, in words; empty when Create study may be pressed. */
export function formProblems(
  state: Pick<StudyDraftState, "config" | "title" | "description" | "imageIds" | "images">,
): string[] {
  const { config } = state;
  if (!config) return ["Waiting for the upload limits"];
  const problems: string[] = [];
  const title = titleSchema.safeParse(state.title);
  if (!title.success)
    problems.push(state.title.trim() === "" ? "Add a title" : `Title: ${title.error.issues[0]?.message}`);
  const description = descriptionSchema.safeParse(state.description);
  if (!description.success) problems.push(`Description: ${description.error.issues[0]?.message}`);
  const count = state.imageIds.length;
  if (count === 0) problems.push("Add at least one image");
  if (count > config.maxFiles)
    problems.push(
      `Too many images: ${count}, at most ${config.maxFiles} are allowed; remove ${count - config.maxFiles}`,
    );
  const images = state.imageIds.map((id) => state.images[id]!);
  const invalid = images.filter((image) => imageProblem(image.file, config) || labelProblem(image.label)).length;
  if (invalid > 0)
    problems.push(`Fix or remove ${invalid === 1 ? "the image" : `${invalid} images`} marked in the list above`);
  return problems;
}

export function totalBytes(state: Pick<StudyDraftState, "imageIds" | "images">): number {
  return state.imageIds.reduce((sum, id) => sum + state.images[id]!.file.size, 0);
}

export function sentBytes(state: Pick<StudyDraftState, "imageIds" | "images">): number {
  return state.imageIds.reduce((sum, id) => sum + state.images[id]!.sentBytes, 0);
}

export function doneCount(state: Pick<StudyDraftState, "imageIds" | "images">): number {
  return state.imageIds.filter((id) => state.images[id]!.status === "done").length;
}

/** True when a batch exists and something in it still has to arrive or be committed. */
export function canRetry(state: Pick<StudyDraftState, "phase" | "batch" | "images" | "formError">): boolean {
  if (state.phase !== "editing" || !state.batch) return false;
  return state.batch.imageIds.some((id) => state.images[id]?.status === "failed") || state.formError !== null;
}

function batchRequest(state: Pick<StudyDraftState, "imageIds" | "images">): CreateBatchRequest {
  return {
    files: state.imageIds.map((id) => {
      const { file } = state.images[id]!;
      return { name: file.name, size: file.size, type: file.type as UploadConfig["allowedTypes"][number] };
    }),
  };
}

const sameImages = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export function createStudyDraftStore(deps: StudyDraftDeps) {
  const now = deps.now ?? (() => performance.now());
  let nextImageNumber = 0;
  let runNumber = 0;
  let runController: AbortController | null = null;
  const rate = new TransferRateMeter();
  /**
   * A batch asked for as soon as the form is valid, while the researcher may still be editing: Create study then
   * starts uploading at once instead of waiting a round trip. Keyed by the exact images it covers.
   */
  let prepared: {
    imageIds: readonly string[];
    requestedAt: number;
    batch: Promise<CreateBatchResponse | null>;
  } | null = null;

  const store = createStore<StudyDraftState>()((set, get) => {
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

    /** A new set of images needs a new batch; uploads of the old one no longer count. */
    const forgetBatch = (
      images: Record<string, DraftImage>,
    ): Pick<StudyDraftState, "batch" | "images" | "formError"> => {
      const reset: Record<string, DraftImage> = {};
      for (const [id, image] of Object.entries(images))
        reset[id] = { ...image, status: "queued", attempt: 0, statusReason: null, sentBytes: 0 };
      return { batch: null, images: reset, formError: null };
    };

    const applyFileState = (id: string, state: FileUploadState) => {
      switch (state.status) {
        case "queued":
          return updateImage(id, () => ({ status: "queued", statusReason: null }));
        case "uploading":
          return updateImage(id, () => ({ status: "uploading", attempt: state.attempt, statusReason: null }));
        case "retrying":
          return updateImage(id, () => ({ status: "retrying", attempt: state.attempt, statusReason: state.reason }));
        case "done":
          return updateImage(id, (image) => ({ status: "done", statusReason: null, sentBytes: image.file.size }));
        case "failed":
          updateImage(id, () => ({ status: "failed", statusReason: state.reason }));
          set({ announcement: `${get().images[id]?.file.name} failed: ${state.reason}` });
      }
    };

    const commit = async (session: BatchSession) => {
      set({ phase: "committing", announcement: "All images uploaded. Creating the study…" });
      const { title, description, images } = get();
      try {
        const study = await deps.api.commitStudy({
          batchId: session.id,
          title: title.trim(),
          description: description.trim() || undefined,
          elements: session.imageIds.map((id, index) => ({
            index,
            label: images[id]!.label.trim(),
            md5: images[id]!.md5!,
          })),
        });
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
          announcement: `Study “${study.title}” created`,
        });
        deps.onStudyCommitted(study);
      } catch (error) {
        const refused = error instanceof ApiRequestError ? error.files : [];
        for (const { index, problem } of refused) {
          const id = session.imageIds[index];
          if (id) updateImage(id, () => ({ status: "failed", statusReason: problem }));
        }
        // A verification refusal already says "Not committed" and names the files.
        const message = refused.length > 0 ? errorMessage(error) : `The study was not created: ${errorMessage(error)}`;
        set({ phase: "editing", formError: message, announcement: message });
      }
    };

    const prepareBatch = () => {
      const state = get();
      if (state.phase !== "editing" || state.batch || formProblems(state).length > 0) return;
      if (prepared && sameImages(prepared.imageIds, state.imageIds)) return;
      // A failed early request costs nothing: Create study asks again.
      const batch = deps.api.createBatch(batchRequest(state)).catch(() => null);
      prepared = { imageIds: [...state.imageIds], requestedAt: Date.now(), batch };
    };

    /** The prepared batch if it covers exactly these images and its links are still fresh enough to start with. */
    const takePreparedBatch = async (imageIds: readonly string[], config: UploadConfig) => {
      const candidate = prepared;
      prepared = null;
      if (!candidate || !sameImages(candidate.imageIds, imageIds)) return null;
      if (Date.now() - candidate.requestedAt > (config.sasTtlSeconds * 1000) / 2) return null;
      return candidate.batch;
    };

    /** One run: make sure a batch exists, upload the chosen images that have not arrived, commit when all have. */
    const submit = async (chosen: (image: DraftImage) => boolean) => {
      const state = get();
      if (state.phase !== "editing" || formProblems(state).length > 0 || !state.config) return;
      const run = ++runNumber;
      const controller = new AbortController();
      runController = controller;
      const isCurrent = () => run === runNumber && !controller.signal.aborted;
      set({ phase: "uploading", formError: null });

      try {
        let session = state.batch;
        let targets: UploadTargets;
        const pendingIds = (ids: readonly string[]) =>
          ids.filter((id) => get().images[id]!.status !== "done" && chosen(get().images[id]!));
        if (session) {
          const indexes = pendingIds(session.imageIds).map((id) => session!.imageIds.indexOf(id));
          // Earlier links may have expired or point at blobs the commit deleted: always start from fresh ones.
          targets =
            indexes.length > 0
              ? await deps.api.refreshBatch(session.id, indexes)
              : { expiresAt: new Date().toISOString(), files: [] };
        } else {
          const created =
            (await takePreparedBatch(state.imageIds, state.config)) ??
            (await deps.api.createBatch(batchRequest(state)));
          // Cancelled meanwhile: the images may have changed since, so this batch is not theirs.
          if (!isCurrent()) return;
          session = { id: created.batchId, imageIds: [...state.imageIds] };
          targets = created;
          set({ batch: session });
        }
        if (!isCurrent()) return;

        const batchSession = session;
        const sending = pendingIds(batchSession.imageIds);
        rate.reset();
        rate.record(now(), sentBytes(get()));
        set({ bytesPerSecond: null });
        if (sending.length > 0) set({ announcement: `Uploading ${plural(sending.length, "image")}` });
        const idAt = (index: number) => batchSession.imageIds[index]!;
        const result = await uploadBatch({
          files: sending.map((id) => {
            const image = get().images[id]!;
            return {
              index: batchSession.imageIds.indexOf(id),
              body: image.file,
              md5: image.md5 ?? undefined,
              sentBytes: image.sentBytes,
            };
          }),
          targets,
          refreshTargets: (indexes) => deps.api.refreshBatch(batchSession.id, indexes),
          concurrency: state.config.concurrency,
          transport: deps.transport,
          hashMd5: deps.hashMd5,
          signal: controller.signal,
          retry: deps.retry,
          onFileHashed: (index, md5) => isCurrent() && updateImage(idAt(index), () => ({ md5 })),
          onFileProgress: (index, sent) => isCurrent() && progress.report(idAt(index), sent),
          onFileState: (index, fileState) => {
            if (!isCurrent()) return;
            progress.flush();
            applyFileState(idAt(index), fileState);
          },
        });
        if (!isCurrent() || result.cancelled) return;
        progress.flush();

        const images = get().images;
        const failed = batchSession.imageIds.filter((id) => images[id]!.status === "failed").length;
        if (failed > 0) {
          set({
            phase: "editing",
            announcement: `${plural(failed, "image")} failed. Nothing was committed; use Retry failed to send ${failed === 1 ? "it" : "them"} again.`,
          });
        } else if (batchSession.imageIds.every((id) => images[id]!.status === "done")) {
          await commit(batchSession);
        } else {
          set({ phase: "editing" });
        }
      } catch (error) {
        if (!isCurrent()) return;
        const message = `Could not start the upload: ${errorMessage(error)}`;
        set({ phase: "editing", formError: message, announcement: message });
      } finally {
        if (runController === controller) runController = null;
      }
    };

    const actions: StudyDraftActions = {
      async loadConfig() {
        try {
          set({ config: await deps.api.getConfig(), configError: null });
          prepareBatch();
        } catch (error) {
          set({ configError: `Could not load the upload limits: ${errorMessage(error)}` });
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
          announcement: `${plural(files.length, "image")} added`,
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
          announcement: `${image.file.name} removed`,
        }));
        prepareBatch();
      },
      createStudy: () => submit(() => true),
      retryFailed: () => submit(() => true),
      retryImage: (imageId) => submit((image) => image.id === imageId),
      cancel() {
        if (get().phase !== "uploading" || !runController) return;
        runController.abort();
        runController = null;
        progress.flush();
        set((state) => {
          const images = { ...state.images };
          for (const [id, image] of Object.entries(images)) {
            if (image.status === "uploading" || image.status === "retrying")
              images[id] = { ...image, status: "queued", statusReason: null };
          }
          return {
            images,
            phase: "editing",
            bytesPerSecond: null,
            announcement: "Upload cancelled. Nothing was committed.",
          };
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
  return store;
}

export type StudyDraftStore = ReturnType<typeof createStudyDraftStore>;
