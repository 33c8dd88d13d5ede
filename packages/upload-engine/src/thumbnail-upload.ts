import { sleep, type UploadTarget } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";
import type { UploadTargets } from "./upload-targets.js";
import { cancellationError } from "./upload-queue.js";

/**
 * The most a commit waits for thumbnails still being made or sent. They are a convenience: a study is never held
 * for long by one, and one that missed the commit only means its image shows no thumbnail.
 */
export const THUMBNAIL_COMMIT_WAIT_MS = 5_000;

type ThumbnailLink = NonNullable<UploadTarget["thumbnail"]>;

/** One file's thumbnail, from the moment the caller hands it over until it is sent, failed or given up on. */
interface Thumbnail {
  /** The JPEG once made; null while it is being made, or when it could not be made. */
  body: Blob | null;
  /** Settles when what is under way (making it, then sending it) is over; null when nothing is. */
  busy: Promise<void> | null;
  /** Sent or tried once: a thumbnail is never sent twice, and a failure is not retried. */
  tried: boolean;
}

export interface ThumbnailUploadOptions {
  /** Sends one PUT (the session's transport with stall detection, outside the upload pool: thumbnails are tiny). */
  transport: BlobTransport;
  /** The file's index in the batch once the API announced it; null before that, or when no such file is here. */
  indexOf: (id: string) => number | null;
  /** Ends a commit's wait for thumbnails (default: THUMBNAIL_COMMIT_WAIT_MS, or the signal). */
  waitLimit?: (signal: AbortSignal) => Promise<void>;
}

/**
 * The thumbnails of one study's images: each is PUT once to the thumbnail link the API gave its file, as soon as
 * both the thumbnail and the link are at hand. A failed PUT is not retried, and a commit waits only for those
 * still under way (up to a limit): the API drops a missing or bad thumbnail, so none can fail a study.
 */
export function createThumbnailUploads(options: ThumbnailUploadOptions) {
  const { transport, indexOf } = options;
  const waitLimit =
    options.waitLimit ?? ((signal: AbortSignal) => sleep(THUMBNAIL_COMMIT_WAIT_MS, signal).catch(() => undefined));
  const thumbnails = new Map<string, Thumbnail>();
  const links = new Map<number, ThumbnailLink>();
  /** Aborted when the study starts over: its thumbnails' PUTs stop. */
  let stopAll = new AbortController();

  /** Sends the thumbnail if it, its file's index and its link are all here and it was not tried yet. */
  const sendIfReady = (id: string, thumbnail: Thumbnail) => {
    const index = indexOf(id);
    const link = index === null ? undefined : links.get(index);
    if (!thumbnail.body || !link || thumbnail.tried || thumbnails.get(id) !== thumbnail) return;
    thumbnail.tried = true;
    const sent = transport({
      url: link.uploadUrl,
      headers: link.headers,
      body: thumbnail.body,
      signal: stopAll.signal,
      onProgress: () => undefined,
    });
    // Whatever the answer, it is over: a refused or lost thumbnail is simply not there at the commit.
    thumbnail.busy = sent.then(() => {
      thumbnail.busy = null;
    });
  };

  return {
    /**
     * The thumbnail of file `id` (a JPEG within the API's thumbnail limits), or the promise of one being made (null
     * or a rejection: it could not be made). A later call replaces an earlier one not yet sent.
     */
    set(id: string, made: Blob | Promise<Blob | null>): void {
      const thumbnail: Thumbnail = { body: null, busy: null, tried: false };
      thumbnails.set(id, thumbnail);
      if (made instanceof Blob) {
        thumbnail.body = made;
        sendIfReady(id, thumbnail);
        return;
      }
      thumbnail.busy = made.then(
        (body) => {
          thumbnail.busy = null;
          thumbnail.body = body;
          sendIfReady(id, thumbnail);
        },
        () => {
          thumbnail.busy = null;
        },
      );
    },

    /** Links the API handed out (announcements, refreshes): thumbnails waiting for theirs go now. Returns them. */
    offerLinks<T extends UploadTargets>(targets: T): T {
      for (const target of targets.files) if (target.thumbnail) links.set(target.index, target.thumbnail);
      for (const [id, thumbnail] of thumbnails) sendIfReady(id, thumbnail);
      return targets;
    },

    /** The file left the study: its thumbnail is not sent (the API deletes what was, with the file). */
    forget(id: string): void {
      thumbnails.delete(id);
    },

    /**
     * Resolves once none of these files' thumbnails is being made or sent any more, or the wait limit is reached,
     * or `signal` aborts: never rejects, and never waits for one that failed or could not be made.
     */
    async settled(ids: readonly string[], signal: AbortSignal): Promise<void> {
      const busy = () => ids.flatMap((id) => thumbnails.get(id)?.busy ?? []);
      if (busy().length === 0) return;
      const stopWaiting = new AbortController();
      const limit = waitLimit(AbortSignal.any([signal, stopWaiting.signal])).then(() => "limit" as const);
      try {
        for (let waiting = busy(); waiting.length > 0; waiting = busy()) {
          if ((await Promise.race([Promise.all(waiting), limit])) === "limit") return;
        }
      } finally {
        stopWaiting.abort(cancellationError());
      }
    },

    /** The study starts over: every thumbnail and link is forgotten and PUTs in flight stop. */
    clear(): void {
      stopAll.abort(cancellationError());
      stopAll = new AbortController();
      thumbnails.clear();
      links.clear();
    },
  };
}

export type ThumbnailUploads = ReturnType<typeof createThumbnailUploads>;
