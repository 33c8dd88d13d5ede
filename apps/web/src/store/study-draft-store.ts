import {
  labelFromFileName,
  type ApiClient,
  type ImageType,
  type Study,
  type UploadConfig,
} from "@study-uploader/shared";
import {
  createProgressBatcher,
  createStudySession,
  TransferRateMeter,
  type BlobTransport,
  type CommitOutcome,
  type FileUploadState,
  type FrameScheduler,
  type Md5Hasher,
  type RetryOptions,
  type SessionFile,
} from "@study-uploader/upload-engine";
import { createStore } from "zustand/vanilla";
import { draftMessages } from "./draft-messages.js";
import { sentBytes, uploadingCount } from "./draft-selectors.js";
import { formProblems, imageProblem } from "./draft-validation.js";
import { imageStructureProblem } from "./image-check.js";
import type { DraftImage, StudyDraftActions, StudyDraftState } from "./study-draft-state.js";

export interface StudyDraftDeps {
  api: Pick<
    ApiClient,
    "getConfig" | "createBatch" | "addBatchFiles" | "removeBatchFile" | "refreshBatch" | "commitStudy"
  >;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  scheduleFrame: FrameScheduler;
  previews: { create(file: File): string; revoke(url: string): void };
  onStudyCommitted(study: Study): void;
  /**
   * Uploads at once, given the configuration and an upload URL once one is known: the browser raises it when
   * the upload origin speaks HTTP/2. The configured concurrency when absent.
   */
  poolSize?: (config: UploadConfig, uploadUrl: string | null, unfinished: number) => number;
  retry?: Partial<RetryOptions>;
  now?: () => number;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

const sessionFile = (image: DraftImage): SessionFile => ({
  id: image.id,
  body: image.file,
  name: image.file.name,
  type: image.file.type as ImageType,
});

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
 * reports it. Images upload from the moment they are added; the session does the work, this store turns its
 * events into state the components select from.
 */
export function createStudyDraftStore(deps: StudyDraftDeps) {
  const now = deps.now ?? (() => performance.now());
  let nextImageNumber = 0;
  const rate = new TransferRateMeter();
  /** One upload URL of the current batch: its origin's protocol decides the pool size. */
  let uploadUrl: string | null = null;

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
        onBatchCreated: (batchId, firstUploadUrl) => {
          uploadUrl = firstUploadUrl;
          set({ batchId });
          resizePool();
        },
        onUploadStarted: (ids) => {
          if (uploadingCount(get()) === ids.length) {
            // Nothing else was moving: the rate starts afresh instead of averaging over an idle gap.
            rate.reset();
            rate.record(now(), sentBytes(get()));
            set({ bytesPerSecond: null });
          }
          set({ announcement: draftMessages.uploading(ids.length) });
        },
        onFileHashed: (id, md5) => updateImage(id, () => ({ md5 })),
        onFileProgress: (id, sent) => progress.report(id, sent),
        onFileState: (id, state) => {
          progress.flush();
          updateImage(id, (image) => imageChange(image, state));
          // The first finished upload tells which protocol the upload origin speaks.
          if (state.status === "done") resizePool();
          if (state.status === "failed") {
            set({ announcement: draftMessages.fileFailed(get().images[id]?.file.name ?? id, state.reason) });
          }
        },
        onCommitStarted: () => set({ phase: "committing", announcement: draftMessages.committing }),
      },
    });

    const resizePool = () => {
      const { config } = get();
      if (!config) return;
      const size = deps.poolSize?.(config, uploadUrl, uploadingCount(get())) ?? config.concurrency;
      session.setConcurrency(size);
    };

    /**
     * Checks the bytes of images not checked yet, then hands those that pass to the session, in list order. Never
     * more than the batch may hold: images past the limit wait, unchecked, until removals make room.
     */
    const sendChecked = async (ids: readonly string[]) => {
      const { config, imageIds, images } = get();
      if (!config) return;
      const sending = imageIds.map((id) => images[id]!).filter((image) => image.checked && !image.contentProblem);
      let room = config.maxFiles - sending.length;
      let bytesLeft = (config.maxBatchBytes ?? Infinity) - sending.reduce((sum, image) => sum + image.file.size, 0);
      const sendable = ids.filter((id) => {
        const image = images[id];
        if (!image || image.checked || imageProblem(image.file, config)) return false;
        if (room === 0 || image.file.size > bytesLeft) return false;
        room--;
        bytesLeft -= image.file.size;
        return true;
      });
      const problems = await Promise.all(
        sendable.map((id) => {
          const image = get().images[id]!;
          return imageStructureProblem(image.file, image.file.type as ImageType).catch(
            (error: unknown) => `Not sent: the file could not be read (${errorMessage(error)})`,
          );
        }),
      );
      const passed: DraftImage[] = [];
      sendable.forEach((id, i) => {
        const image = get().images[id];
        // Removed while its bytes were read.
        if (!image || image.checked) return;
        updateImage(id, () => ({ checked: true, contentProblem: problems[i] ?? null }));
        if (!problems[i]) passed.push(image);
      });
      if (passed.length > 0) session.add(passed.map(sessionFile));
    };

    /** Checks still reading file heads: a click right after picking waits for them, not for nothing. */
    const checks = new Set<Promise<void>>();
    const check = (ids: readonly string[]) => {
      const running = sendChecked(ids).finally(() => checks.delete(running));
      checks.add(running);
      return running;
    };

    const finish = (outcome: CommitOutcome) => {
      switch (outcome.kind) {
        case "committed": {
          for (const image of Object.values(get().images)) deps.previews.revoke(image.previewUrl);
          set({
            title: "",
            description: "",
            imageIds: [],
            images: {},
            batchId: null,
            phase: "editing",
            commitRequested: false,
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
        case "cancelled":
          // Cancel already put the form back.
          return;
      }
    };

    const createStudy = async () => {
      if (get().phase !== "editing" || formProblems(get()).length > 0 || !get().config) return;
      set({ phase: "waiting", commitRequested: true });
      await Promise.all([...checks]);
      const state = get();
      // Cancelled while the checks ran.
      if (state.phase !== "waiting") return;
      if (formProblems(state).length > 0) {
        // A file picked just before the click turned out not to be an image; its row says so.
        set({ phase: "editing" });
        return;
      }
      const pending = uploadingCount(state);
      set({
        phase: pending > 0 ? "waiting" : "committing",
        commitRequested: true,
        formError: null,
        announcement: pending > 0 ? draftMessages.waiting(pending) : draftMessages.committing,
      });
      const outcome = await session.commit({
        order: state.imageIds,
        details: () => {
          const { title, description, images } = get();
          return { title, description, labelOf: (id) => images[id]!.label };
        },
      });
      finish(outcome);
    };

    /** A retry that leaves nothing failed carries on with the commit the researcher already asked for. */
    const retry = async (only?: (id: string) => boolean) => {
      if (get().phase !== "editing") return;
      set({ formError: null });
      session.retry(only);
      const { commitRequested, imageIds, images } = get();
      const stillFailed = imageIds.some((id) => images[id]!.status === "failed");
      if (commitRequested && !stillFailed) await createStudy();
    };

    const actions: StudyDraftActions = {
      async loadConfig() {
        try {
          const config = await deps.api.getConfig();
          set({ config, configError: null });
          resizePool();
          await check(get().imageIds);
        } catch (error) {
          set({ configError: draftMessages.configFailed(errorMessage(error)) });
        }
      },
      setTitle(title) {
        if (get().phase === "editing") set({ title });
      },
      setDescription(description) {
        if (get().phase === "editing") set({ description });
      },
      setLabel(imageId, label) {
        if (get().phase === "editing") updateImage(imageId, () => ({ label }));
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
            checked: false,
            contentProblem: null,
          };
        }
        set((state) => ({
          images: { ...state.images, ...added },
          imageIds: [...state.imageIds, ...Object.keys(added)],
          announcement: draftMessages.added(files.length),
        }));
        void check(Object.keys(added));
      },
      removeImage(imageId) {
        const { phase, images } = get();
        const image = images[imageId];
        if (phase !== "editing" || !image) return;
        deps.previews.revoke(image.previewUrl);
        const { [imageId]: _removed, ...rest } = images;
        set((state) => ({
          images: rest,
          imageIds: state.imageIds.filter((id) => id !== imageId),
          announcement: draftMessages.removed(image.file.name),
        }));
        // If the delete fails, the sweep removes the staged blob when the batch expires.
        session.remove(imageId).catch(() => undefined);
        // Images held back by the batch's limits may fit now.
        void check(get().imageIds);
      },
      createStudy,
      retryFailed: () => retry(),
      retryImage: (imageId) => retry((id) => id === imageId),
      cancel() {
        if (get().phase !== "waiting") return;
        session.cancelCommit();
        set({ phase: "editing", commitRequested: false, announcement: draftMessages.cancelled });
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
      batchId: null,
      commitRequested: false,
      formError: null,
      announcement: "",
      bytesPerSecond: null,
      actions,
    };
  });
}

export type StudyDraftStore = ReturnType<typeof createStudyDraftStore>;
