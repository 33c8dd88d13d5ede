import { describe, expect, it } from "vitest";
import { createChunkedMd5, type Md5Hasher } from "./md5.js";
import { createWorkerMd5, type Md5WorkerLike } from "./md5-worker-client.js";
import { createMd5MessageHandler, type Md5WorkerRequest, type Md5WorkerResponse } from "./md5-worker-protocol.js";
import { settle } from "./testing/deferred.js";

/** A worker without a thread: records what the client posts and lets the test answer or crash it. */
class FakeWorker implements Md5WorkerLike {
  onmessage: Md5WorkerLike["onmessage"] = null;
  onerror: Md5WorkerLike["onerror"] = null;
  readonly posted: Md5WorkerRequest[] = [];
  terminated = false;

  postMessage(message: Md5WorkerRequest): void {
    this.posted.push(message);
  }
  answer(response: Md5WorkerResponse): void {
    this.onmessage?.(new MessageEvent("message", { data: response }));
  }
  crash(message: string): void {
    // Node has no ErrorEvent; the client reads only its message.
    this.onerror?.({ message } as ErrorEvent);
  }
  terminate(): void {
    this.terminated = true;
  }
  idOf(blob: Blob): number {
    const request = this.posted.find((m) => "blob" in m && m.blob === blob);
    if (!request) throw new Error("blob was never posted");
    return request.id;
  }
}

function fakeWorkers() {
  const workers: FakeWorker[] = [];
  const create = () => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  };
  return { workers, create };
}

const noFallback: Md5Hasher = () => Promise.reject(new Error("fallback must not run"));

describe("createWorkerMd5", () => {
  it("hashes over the real message handler and gets the main thread's MD5", async () => {
    // The handler runs in-process: this proves the protocol end to end, not the threading.
    const worker = new FakeWorker();
    const handle = createMd5MessageHandler((response) => worker.answer(response));
    worker.postMessage = (message) => handle(structuredClone(message));
    const hashMd5 = createWorkerMd5(() => worker, { fallback: noFallback });
    const blob = new Blob([new Uint8Array(300_000).fill(42)]);
    expect(await hashMd5(blob)).toBe(await createChunkedMd5()(blob));
  });

  it("uses one worker for every request and matches concurrent answers by id", async () => {
    const { workers, create } = fakeWorkers();
    const hashMd5 = createWorkerMd5(create, { fallback: noFallback });
    const a = new Blob(["a"]);
    const b = new Blob(["b"]);
    const hashA = hashMd5(a);
    const hashB = hashMd5(b);
    await settle();
    expect(workers).toHaveLength(1);
    const worker = workers[0]!;
    expect(worker.idOf(a)).not.toBe(worker.idOf(b));
    worker.answer({ id: worker.idOf(b), md5: "md5-of-b" });
    worker.answer({ id: worker.idOf(a), md5: "md5-of-a" });
    await expect(hashA).resolves.toBe("md5-of-a");
    await expect(hashB).resolves.toBe("md5-of-b");
    expect(worker.terminated).toBe(false);
  });

  it("rejects with the worker's error, keeping its name", async () => {
    const { workers, create } = fakeWorkers();
    const hashMd5 = createWorkerMd5(create, { fallback: noFallback });
    const blob = new Blob(["x"]);
    const hashing = hashMd5(blob);
    await settle();
    workers[0]!.answer({ id: workers[0]!.idOf(blob), error: "the file changed", name: "NotReadableError" });
    await expect(hashing).rejects.toMatchObject({ name: "NotReadableError", message: "the file changed" });
  });

  it("on abort, posts cancel, rejects with AbortError and ignores a late answer", async () => {
    const { workers, create } = fakeWorkers();
    const hashMd5 = createWorkerMd5(create, { fallback: noFallback });
    const controller = new AbortController();
    const blob = new Blob(["x"]);
    const hashing = hashMd5(blob, controller.signal);
    await settle();
    const worker = workers[0]!;
    const id = worker.idOf(blob);
    controller.abort();
    await expect(hashing).rejects.toMatchObject({ name: "AbortError" });
    expect(worker.posted).toContainEqual({ id, cancel: true });
    expect(() => worker.answer({ id, md5: "too late" })).not.toThrow();
  });

  it("rejects at once, posting nothing, when the signal is already aborted", async () => {
    const { workers, create } = fakeWorkers();
    const hashMd5 = createWorkerMd5(create, { fallback: noFallback });
    await expect(hashMd5(new Blob(["x"]), AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
    expect(workers.flatMap((w) => w.posted)).toEqual([]);
  });

  it("when a worker that has answered crashes, rejects what it held and starts a new worker next time", async () => {
    const { workers, create } = fakeWorkers();
    const hashMd5 = createWorkerMd5(create, { fallback: noFallback });
    const first = new Blob(["1"]);
    const hashFirst = hashMd5(first);
    await settle();
    workers[0]!.answer({ id: workers[0]!.idOf(first), md5: "one" });
    await expect(hashFirst).resolves.toBe("one");

    const held = [hashMd5(new Blob(["2"])), hashMd5(new Blob(["3"]))];
    await settle();
    workers[0]!.crash("out of memory");
    for (const hashing of held) await expect(hashing).rejects.toThrow("the MD5 worker stopped (out of memory)");
    expect(workers[0]!.terminated).toBe(true);

    const next = new Blob(["4"]);
    const hashNext = hashMd5(next);
    await settle();
    expect(workers).toHaveLength(2);
    workers[1]!.answer({ id: workers[1]!.idOf(next), md5: "four" });
    await expect(hashNext).resolves.toBe("four");
  });

  it("falls back to the main thread when no worker can be created", async () => {
    let attempts = 0;
    const hashMd5 = createWorkerMd5(() => {
      attempts++;
      throw new ReferenceError("Worker is not defined");
    });
    const blob = new Blob(["hello"]);
    expect(await hashMd5(blob)).toBe(await createChunkedMd5()(blob));
    expect(await hashMd5(blob)).toBe(await createChunkedMd5()(blob));
    expect(attempts).toBe(1);
  });

  it("moves pending hashes to the main thread when the worker fails before answering anything", async () => {
    const { workers, create } = fakeWorkers();
    const fallbackBlobs: Blob[] = [];
    const hashMd5 = createWorkerMd5(create, {
      fallback: async (blob) => {
        fallbackBlobs.push(blob);
        return `main-${await blob.text()}`;
      },
    });
    const pending = hashMd5(new Blob(["a"]));
    await settle();
    workers[0]!.crash("blocked by the content security policy");
    await expect(pending).resolves.toBe("main-a");
    await expect(hashMd5(new Blob(["b"]))).resolves.toBe("main-b");
    expect(workers).toHaveLength(1);
    expect(workers[0]!.terminated).toBe(true);
    expect(fallbackBlobs).toHaveLength(2);
  });
});
