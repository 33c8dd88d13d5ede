import { createChunkedDigest, type DigestHasher } from "./md5.js";

/** Main thread → worker: hash this blob (and its blocks of `blockBytes`), or stop hashing request `id`. */
export type Md5WorkerRequest = { id: number; blob: Blob; blockBytes?: number } | { id: number; cancel: true };

/** Worker → main thread: one block's MD5 as soon as it is known, the MD5s of request `id`, or why not. */
export type Md5WorkerResponse =
  | { id: number; block: number; blockMd5: string }
  | { id: number; md5: string; blockMd5s?: string[] }
  | { id: number; error: string; name: string };

/**
 * The worker's side of the protocol, without the worker: `createMd5MessageHandler(post)` returns the function to
 * call with each message's data. The blob arrives structured-cloned (a handle, not the bytes), so the worker
 * reads the slices itself. A cancelled request answers nothing: the caller has already given up on it.
 */
export function createMd5MessageHandler(
  post: (response: Md5WorkerResponse) => void,
  digest: DigestHasher = createChunkedDigest(),
): (request: Md5WorkerRequest) => void {
  const running = new Map<number, AbortController>();
  const hash = async (id: number, blob: Blob, blockBytes: number | null, signal: AbortSignal) => {
    try {
      const onBlock = (block: number, blockMd5: string) => {
        if (!signal.aborted) post({ id, block, blockMd5 });
      };
      const { md5, blockMd5s } = await digest(blob, blockBytes, signal, blockBytes === null ? undefined : onBlock);
      if (!signal.aborted) post(blockMd5s ? { id, md5, blockMd5s } : { id, md5 });
    } catch (error) {
      if (signal.aborted) return;
      const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
      post({ id, error: message, name });
    } finally {
      running.delete(id);
    }
  };
  return (request) => {
    if ("cancel" in request) {
      running.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    void hash(request.id, request.blob, request.blockBytes ?? null, controller.signal);
  };
}
