import { errorMessage } from "@study-uploader/shared";
import { digestOf, streamedDigest, type DigestInProgress, type Hashers } from "./file-digest.js";
import type { SerialQueue } from "./serial-queue.js";
import type { FileEntry, SessionEvent } from "./upload-state.js";

export interface HashContext {
  hashers: Hashers;
  /** Hashes run one at a time in the order files were added, so the first upload waits for one hash only. */
  serial: SerialQueue;
  /** Large files being hashed while they are sent, by key. */
  digests: Map<number, DigestInProgress>;
  dispatch: (event: SessionEvent) => void;
}

export interface FileToHash {
  key: number;
  generation: number;
  entry: FileEntry | undefined;
  body: Blob | undefined;
  /** Its block size; null for a file sent whole. */
  blockBytes: number | null;
}

/**
 * Hashes a file before it is sent and reports it (`hashed`, or `unreadable`). A new large file is sent while it is
 * hashed: it counts as hashed (MD5s "") once its first block's MD5 is known, each block goes once its own is, and
 * `digested` fills the MD5s in at the end.
 */
export function hashFile(context: HashContext, file: FileToHash, signal: AbortSignal): void {
  const { key, generation, entry, body, blockBytes } = file;
  const { dispatch, digests } = context;
  const streamed = entry && blockBytes !== null ? streamedDigest(entry, blockBytes) : null;
  if (streamed) digests.set(key, streamed.progress);
  const onBlock = streamed?.onBlock(() => {
    const blocks = { blockBytes: blockBytes!, md5s: streamed.placeholders };
    dispatch({ kind: "hashed", generation, key, md5: "", blocks });
  });
  void context.serial
    .run(async () => {
      signal.throwIfAborted();
      if (!body || !entry) throw new Error("its bytes are not at hand");
      return digestOf(entry, body, blockBytes, context.hashers, signal, onBlock);
    })
    .then(
      ({ md5, blockMd5s }) => {
        // A hasher that told no block on the way (no worker, an old one) ends as an ordinary hash.
        if (streamed?.started()) {
          dispatch({ kind: "digested", generation, key, md5, md5s: blockMd5s! });
          return streamed.progress.hashed(md5);
        }
        digests.delete(key);
        const blocks = blockBytes === null || !blockMd5s ? undefined : { blockBytes, md5s: blockMd5s };
        dispatch({ kind: "hashed", generation, key, md5, blocks });
      },
      (error: unknown) => {
        streamed?.progress.failed(error);
        if (!signal.aborted) dispatch({ kind: "unreadable", generation, key, reason: errorMessage(error) });
      },
    );
}
