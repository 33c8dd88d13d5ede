import { createChunkedDigest, type DigestHasher, type FileDigest, type Md5Hasher } from "./md5.js";
import type { Md5WorkerRequest, Md5WorkerResponse } from "./md5-worker-protocol.js";

/** The part of a `Worker` the client uses; a real `new Worker(...)` fits it, and tests drive a fake. */
export interface Md5WorkerLike {
  postMessage(message: Md5WorkerRequest): void;
  onmessage: ((event: MessageEvent<Md5WorkerResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface WorkerMd5Options {
  /** Hashes on the main thread when no worker can run (default: `createChunkedMd5()`). */
  fallback?: Md5Hasher;
}

export interface WorkerDigestOptions {
  /** Hashes on the main thread when no worker can run (default: `createChunkedDigest()`). */
  fallback?: DigestHasher;
}

interface PendingHash {
  blob: Blob;
  blockBytes: number | null;
  onBlock: ((block: number, md5: string) => void) | undefined;
  signal: AbortSignal | undefined;
  resolve: (digest: FileDigest | Promise<FileDigest>) => void;
  reject: (reason: unknown) => void;
  stopListening: () => void;
}

interface RunningWorker {
  worker: Md5WorkerLike;
  pending: Map<number, PendingHash>;
  /** A worker that never answered did not load (blocked, missing, no module workers): taken as unavailable. */
  answered: boolean;
}

/** The whole file's MD5 only, hashed in the worker (see `createWorkerDigest`). */
export function createWorkerMd5(createWorker: () => Md5WorkerLike, options: WorkerMd5Options = {}): Md5Hasher {
  const { fallback } = options;
  const digest = createWorkerDigest(createWorker, {
    fallback:
      fallback && (async (blob, _blockBytes, signal) => ({ md5: await fallback(blob, signal), blockMd5s: null })),
  });
  return async (blob, signal) => (await digest(blob, null, signal)).md5;
}

/**
 * A `DigestHasher` that hashes in one long-lived worker, so the page's main thread only posts a blob handle and
 * waits. Requests are matched by id; an abort posts `cancel` and rejects with the signal's reason. A worker
 * that crashes rejects what it was hashing and is replaced on the next call. When no worker can be created, or
 * the first one fails before answering anything, every hash (pending ones included) runs on `fallback`.
 * One worker suffices: the study session hashes files one at a time, in upload order.
 */
export function createWorkerDigest(createWorker: () => Md5WorkerLike, options: WorkerDigestOptions = {}): DigestHasher {
  const fallback = options.fallback ?? createChunkedDigest();
  let current: RunningWorker | null = null;
  let unavailable = false;
  let nextId = 1;

  const fail = (running: RunningWorker, event: ErrorEvent) => {
    running.worker.terminate();
    if (current === running) current = null;
    if (!running.answered) unavailable = true;
    const crash = new Error(`the MD5 worker stopped (${event.message || "no reason given"})`);
    for (const request of running.pending.values()) {
      request.stopListening();
      if (unavailable) request.resolve(fallback(request.blob, request.blockBytes, request.signal, request.onBlock));
      else request.reject(crash);
    }
    running.pending.clear();
  };

  const spawn = (): RunningWorker | null => {
    let worker: Md5WorkerLike;
    try {
      worker = createWorker();
    } catch {
      unavailable = true;
      return null;
    }
    const running: RunningWorker = { worker, pending: new Map(), answered: false };
    worker.onmessage = ({ data }) => {
      running.answered = true;
      const request = running.pending.get(data.id);
      if (!request) return;
      if ("block" in data) {
        request.onBlock?.(data.block, data.blockMd5);
        return;
      }
      running.pending.delete(data.id);
      request.stopListening();
      if ("md5" in data) request.resolve({ md5: data.md5, blockMd5s: data.blockMd5s ?? null });
      else request.reject(Object.assign(new Error(data.error), { name: data.name }));
    };
    worker.onerror = (event) => fail(running, event);
    return running;
  };

  return async (blob, blockBytes, signal, onBlock) => {
    signal?.throwIfAborted();
    const running = unavailable ? null : (current ??= spawn());
    if (!running) return fallback(blob, blockBytes, signal, onBlock);
    const id = nextId++;
    return new Promise<FileDigest>((resolve, reject) => {
      const onAbort = () => {
        running.pending.delete(id);
        running.worker.postMessage({ id, cancel: true });
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const stopListening = () => signal?.removeEventListener("abort", onAbort);
      running.pending.set(id, { blob, blockBytes, onBlock, signal, resolve, reject, stopListening });
      running.worker.postMessage(blockBytes === null ? { id, blob } : { id, blob, blockBytes });
    });
  };
}
