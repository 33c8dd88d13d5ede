import { checkedImageProblem, type ApiClient, type Study, type UploadConfig } from "@study-uploader/shared";
import {
  createStudySession,
  type BlobTransport,
  type DigestHasher,
  type Md5Hasher,
  type NetworkProbe,
  type RetryOptions,
  type StudySessionDeps,
  type UploadSnapshot,
} from "@study-uploader/upload-engine";
import type { StoreApi } from "zustand/vanilla";
import { draftMessages } from "./draft-messages.js";
import { pendingRequests } from "./draft-selectors.js";
import { imagesThatFit, previewable, sessionFile, stagingTtlMs } from "./draft-images.js";
import type { DraftImage, StudyDraftState } from "./study-draft-state.js";

/** Files above the API's block threshold go in blocks; an API that names none takes every file whole. */
const blockSettingsOf = ({ blockThresholdBytes, blockBytes }: UploadConfig) =>
  blockThresholdBytes && blockBytes ? { thresholdBytes: blockThresholdBytes, blockBytes } : null;

export interface StudyDraftDeps {
  api: Pick<
    ApiClient,
    | "getConfig"
    | "createBatch"
    | "addBatchFiles"
    | "removeBatchFile"
    | "reuseUpload"
    | "refreshBatch"
    | "commitStudy"
    | "getBatch"
    | "discardBatch"
  >;
  transport: BlobTransport;
  hashMd5: Md5Hasher;
  /** Hashes a large file and its blocks in one read (in a worker in the browser). */
  hashDigest?: DigestHasher;
  /** Whether storage answers now: uploads wait for the network instead of failing while it says no. */
  probe?: NetworkProbe;
  /** When the session's subscribers hear of changes: once per frame in the browser (a burst of progress is one). */
  scheduleNotify?: StudySessionDeps["scheduleNotify"];
  previews: { create(file: Blob): string; revoke(url: string): void };
  /** The page keeps drafts (openDraft): until one is open, images picked wait to join it. */
  keepsDrafts?: boolean;
  /** A small JPEG of an image (thumbnail limits of the API), uploaded beside it and kept with the draft. */
  thumbnail?: (file: File) => Promise<Blob | null>;
  /** Wall-clock time (ms) for the draft's deadline; `now` is the monotonic clock for retries and transfer rates. */
  wallClock?: () => number;
  onStudyCommitted(study: Study): void;
  /**
   * Uploads at once (with an adaptive pool: the most), given the configuration, an upload URL once one is known
   * (the browser raises it when the upload origin speaks HTTP/2) and the requests still to send. The configured
   * concurrency when absent.
   */
  poolSize?: (config: UploadConfig, uploadUrl: string | null, pendingRequests: number) => number;
  retry?: Partial<RetryOptions>;
  /** How long Undo is offered after a Remove (tests shorten it). */
  undoWindowMs?: number;
  now?: () => number;
}

/** The draft store's state, as the form reads and changes it. */
export interface DraftStoreAccess {
  get: () => StudyDraftState;
  set: StoreApi<StudyDraftState>["setState"];
  updateImage: (id: string, change: (image: DraftImage) => Partial<DraftImage>) => void;
  wallClock: () => number;
}

/**
 * The study session behind the draft form, which alone knows how far each image got. The form hears of its
 * changes to say them (a failure, the commit going out), to keep a thumbnail of each arrived image, to set the
 * draft's deadline from its batch and to size the pool; `send` hands it the images the batch may hold.
 */
export function connectUploadSession(deps: StudyDraftDeps, store: DraftStoreAccess) {
  const { get, set, updateImage, wallClock } = store;

  const session = createStudySession({
    api: deps.api,
    transport: deps.transport,
    hashMd5: deps.hashMd5,
    hashDigest: deps.hashDigest,
    probe: deps.probe,
    inspect: checkedImageProblem,
    retry: deps.retry,
    now: deps.now,
    scheduleNotify: deps.scheduleNotify,
  });

  const resizePool = () => {
    const { config } = get();
    if (!config) return;
    const { uploadUrl } = session.getSnapshot();
    const size =
      deps.poolSize?.(config, uploadUrl, pendingRequests(get(), session.getSnapshot())) ?? config.concurrency;
    session.setConcurrency(size);
  };

  /** The image's thumbnail, made when the page is idle: the session uploads it beside the image, the draft keeps it. */
  const makeThumbnail = (image: DraftImage) => {
    const { blob } = image;
    const made =
      blob && previewable(blob) && deps.thumbnail ? deps.thumbnail(blob).catch(() => null) : Promise.resolve(null);
    session.setThumbnail(image.id, made);
    void made.then((thumbnail) => {
      if (thumbnail) updateImage(image.id, (current) => (current.blob === blob ? { thumbnail } : {}));
    });
  };

  /** What changed between two snapshots that the form says or acts on. */
  const heard = (before: UploadSnapshot, now: UploadSnapshot) => {
    if (now.batchId !== before.batchId && now.batchId !== null && get().expiresAt === null) {
      // The batch's staging deadline counts from its creation: the draft lives no longer.
      set({ expiresAt: wallClock() + stagingTtlMs(get().config) });
    }
    if (now.uploadUrl !== before.uploadUrl) resizePool();
    if (now.commit.kind === "sending" && before.commit.kind !== "sending") {
      set({ announcement: draftMessages.committing });
    }
    for (const entry of Object.values(now.files)) {
      const was = before.files[entry.id];
      if (was === entry) continue;
      if (entry.state.kind === "failed" && was?.state.kind !== "failed") {
        set({ announcement: draftMessages.fileFailed(entry.spec.name, entry.state.reason) });
      }
      // A large file's first stored block already tells the protocol: one file alone may then use HTTP/2's pool.
      if (entry.blocks?.done.size === 1 && was?.blocks?.done.size === 0) resizePool();
      if (entry.state.kind === "uploaded" && was && was.state.kind !== "uploaded") {
        // A finished upload tells which protocol the upload origin speaks (resource timing): HTTP/2 takes more.
        resizePool();
      }
    }
  };

  let last = session.getSnapshot();
  session.subscribe(() => {
    const now = session.getSnapshot();
    const before = last;
    last = now;
    heard(before, now);
  });

  /** Hands the session these images, as many as the batch may hold; the rest wait until removals make room. */
  const send = (ids: readonly string[]) => {
    const { config } = get();
    if (!config) return;
    const sendable = imagesThatFit(get(), session.getSnapshot(), ids, config);
    if (sendable.length === 0) return;
    session.setBlockSettings(blockSettingsOf(config));
    session.setAdaptiveConcurrency(config.adaptiveConcurrency === true);
    session.add(sendable.map((id) => sessionFile(get().images[id]!)));
    for (const id of sendable) makeThumbnail(get().images[id]!);
    set({ announcement: draftMessages.uploading(sendable.length) });
  };

  return { session, resizePool, send };
}
