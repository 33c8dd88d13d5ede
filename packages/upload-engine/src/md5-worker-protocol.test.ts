import { describe, expect, it } from "vitest";
import { MD5_CHUNK_BYTES, createChunkedMd5 } from "./md5.js";
import { createMd5MessageHandler, type Md5WorkerResponse } from "./md5-worker-protocol.js";
import { deferred, settle } from "./testing/deferred.js";

function handlerWithReplies(hasher?: Parameters<typeof createMd5MessageHandler>[1]) {
  const replies: Md5WorkerResponse[] = [];
  const handle = createMd5MessageHandler((response) => replies.push(response), hasher);
  return { handle, replies };
}

const bytesOf = (size: number) => new Uint8Array(size).map((_, i) => (i * 131) % 256);

describe("createMd5MessageHandler", () => {
  it.each([0, 1, 4096, MD5_CHUNK_BYTES, MD5_CHUNK_BYTES + 1, 2 * MD5_CHUNK_BYTES + 12_345])(
    "answers the same MD5 as the main-thread hasher for %i bytes",
    async (size) => {
      const blob = new Blob([bytesOf(size)]);
      const { handle, replies } = handlerWithReplies();
      handle({ id: 7, blob });
      await expect.poll(() => replies.length).toBe(1);
      expect(replies[0]).toEqual({ id: 7, md5: await createChunkedMd5()(blob) });
    },
  );

  it("answers concurrent requests by id, in the order they finish", async () => {
    const gates = new Map([
      [1, deferred<string>()],
      [2, deferred<string>()],
    ]);
    const { handle, replies } = handlerWithReplies((blob) =>
      gates.get(blob.size)!.promise.then((md5) => ({ md5, blockMd5s: null })),
    );
    handle({ id: 10, blob: new Blob(["a"]) });
    handle({ id: 11, blob: new Blob(["bb"]) });
    gates.get(2)!.resolve("second");
    await settle();
    gates.get(1)!.resolve("first");
    await settle();
    expect(replies).toEqual([
      { id: 11, md5: "second" },
      { id: 10, md5: "first" },
    ]);
  });

  it("aborts the hash of a cancelled request and answers nothing for it", async () => {
    let seen: AbortSignal | undefined;
    const { handle, replies } = handlerWithReplies(
      (_blob, _blockBytes, signal) =>
        new Promise((_, reject) => {
          seen = signal;
          signal?.addEventListener("abort", () => reject(signal.reason as Error));
        }),
    );
    handle({ id: 3, blob: new Blob(["x"]) });
    handle({ id: 3, cancel: true });
    await settle();
    expect(seen?.aborted).toBe(true);
    expect(replies).toEqual([]);
  });

  it("ignores a cancel for a request it does not know", () => {
    const { handle, replies } = handlerWithReplies();
    expect(() => handle({ id: 99, cancel: true })).not.toThrow();
    expect(replies).toEqual([]);
  });

  it("answers a failure with the error's name and message", async () => {
    const unreadable = new DOMException("the file changed on disk", "NotReadableError");
    const { handle, replies } = handlerWithReplies(() => Promise.reject(unreadable));
    handle({ id: 5, blob: new Blob(["x"]) });
    await settle();
    expect(replies).toEqual([{ id: 5, error: "the file changed on disk", name: "NotReadableError" }]);
  });

  it("answers each block's MD5 as soon as it is known, then all of them with the file's", async () => {
    const blob = new Blob([bytesOf(10_000)]);
    const { handle, replies } = handlerWithReplies();
    handle({ id: 4, blob, blockBytes: 4096 });
    await expect.poll(() => replies.length).toBe(4);
    const md5 = createChunkedMd5();
    const blockMd5s = await Promise.all([0, 4096, 8192].map((start) => md5(blob.slice(start, start + 4096))));
    expect(replies).toEqual([
      ...blockMd5s.map((blockMd5, block) => ({ id: 4, block, blockMd5 })),
      { id: 4, md5: await md5(blob), blockMd5s },
    ]);
  });
});
