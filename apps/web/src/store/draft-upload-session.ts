import type { ApiClient, Study, UploadConfig } from "@study-uploader/shared";
import {
  createProgressBatcher,
  createStudySession,
  TransferRateMeter,
  type BlobTransport,
  type FrameScheduler,
  type Md5Hasher,
  type RetryOptions,
} from "@study-uploader/upload-engine";
import type { StoreApi } from "zustand/vanilla";
import { draftMessages } from "./draft-messages.js";
import { sentBytes, uploadingCount } from "./draft-selectors.js";
import { imageChange, imagesThatFit, sessionFile, stagingTtlMs } from "./draft-images.js";
import { pickedFileProblem } from "./image-check.js";
import type { DraftImage, StudyDraftState } from "./study-draft-state.js";

export interface StudyDraftDeps {
  api: Pick<
    ApiClient,
    | "getConfig"
    | "createBatch"
    | "addBatchFiles"
    | "removeBatchFile"
    | "refreshBatch"
    | "commitStudy"
    | "getBatch"
    | "discardBatch"
  >;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  scheduleFrame: FrameScheduler;
  previews: { create(file: Blob): string; revoke(url: string): void };
  /** The page keeps drafts (openDraft): until one is open, images picked wait to join it. */
  keepsDrafts?: boolean;
  /** A small picture of an image, kept with the draft. */
  thumbnail?: (file: File) => Promise<Blob | null>;
  /** Wall-clock time (ms) for the draft's deadline; `now` is the monotonic clock for transfer rates. */
  wallClock?: () => number;
  onStudyCommitted(study: Study): void;
  /**
   * Uploads at once, given the configuration and an upload URL once one is known: the browser raises it when
   * the upload origin speaks HTTP/2. The configured concurrency when absent.
   */
  poolSize?: (config: UploadConfig, uploadUrl: string | null, unfinished: number) => number;
  retry?: Partial<RetryOptions>;
  now?: () => number;
}

/** The draft store's state, as the session's events change it. */
export interface DraftStoreAccess {
  get: () => StudyDraftState;
  set: StoreApi<StudyDraftState>["setState"];
  updateImage: (id: string, change: (image: DraftImage) => Partial<DraftImage>) => void;
  now: () => number;
  wallClock: () => number;
}

/**
 * The study session behind the draft form, its events turned into the form's state: each image's status, bytes
 * sent (batched per frame), MD5 and batch index, the transfer rate, the batch's deadline and the pool's size.
 * `check` hands the session the images whose bytes pass the content check, as many as the batch may hold.
 */
export function connectUploadSession(deps: StudyDraftDeps, store: DraftStoreAccess) {
  const { get, set, updateImage, now, wallClock } = store;
  const rate = new TransferRateMeter();
  /** One upload URL of the current batch: its origin's protocol decides the pool size. */
  let uploadUrl: string | null = null;

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
        // The batch's staging deadline counts from its creation: the draft lives no longer.
        set({ batchId, expiresAt: wallClock() + stagingTtlMs(get().config) });
        resizePool();
      },
      onFileIndexed: (id, batchIndex) => updateImage(id, () => ({ batchIndex })),
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
        if (state.status === "done") {
          resizePool();
          // After its upload, not before: decoding for the thumbnail must not compete with hashing and sending.
          const image = get().images[id];
          if (image?.blob && !image.thumbnail) void keepThumbnail(image);
        }
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

  const keepThumbnail = async (image: DraftImage) => {
    const thumbnail = await deps.thumbnail?.(image.blob!).catch(() => null);
    if (thumbnail) updateImage(image.id, (current) => (current.blob === image.blob ? { thumbnail } : {}));
  };

  /**
   * Checks the bytes of images not checked yet, then hands those that pass to the session, in list order. Never
   * more than the batch may hold: images past the limit wait, unchecked, until removals make room.
   */
  const sendChecked = async (ids: readonly string[]) => {
    const { config } = get();
    if (!config) return;
    const sendable = imagesThatFit(get(), ids, config);
    const problems = await Promise.all(sendable.map((id) => pickedFileProblem(get().images[id]!.blob!)));
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

  /** Checks still reading file heads: a click right after picking waits for them (`checksSettled`), not for nothing. */
  const checks = new Set<Promise<void>>();
  const check = (ids: readonly string[]) => {
    const running = sendChecked(ids).finally(() => checks.delete(running));
    checks.add(running);
    return running;
  };

  return { session, resizePool, check, checksSettled: () => Promise.all([...checks]) };
}
