import { ApiRequestError, blockIdOf, parseBlockId } from "@study-uploader/shared";
import { describe, expect, it, vi } from "vitest";
import { sentBytesOf } from "./file-steps.js";
import { createChunkedDigest, createChunkedMd5 } from "./md5.js";
import { createStudySession, type SessionFile } from "./study-session.js";
import { deferred, settle } from "./testing/deferred.js";
import { answerAll, fakeApi, manualTransport, ok, refusal, type TransportCall } from "./testing/session-fakes.js";

const BLOCK = 256;
/** Five blocks: four of 256 bytes and one of 76. */
const SIZE = 4 * BLOCK + 76;
const bytes = new Uint8Array(SIZE).map((_, i) => (i * 37) % 251);
const smallFile = (): SessionFile => ({ id: "small", body: new Blob(["tiny"]), name: "small.png", type: "image/png" });
const bigFile = (id = "big"): SessionFile => ({ id, body: new Blob([bytes]), name: `${id}.png`, type: "image/png" });
const md5 = createChunkedMd5();
const blockMd5 = (block: number) => md5(new Blob([bytes.slice(block * BLOCK, (block + 1) * BLOCK)]));

function setup(options: { probe?: () => boolean } = {}) {
  const fake = manualTransport();
  const api = fakeApi(600_000, 1000);
  const digest = createChunkedDigest();
  const reads = { whole: 0, blocks: 0 };
  const session = createStudySession({
    api,
    transport: fake.transport,
    hashMd5: (blob, signal) => {
      reads.blocks += blob.size < SIZE ? 1 : 0;
      return md5(blob, signal);
    },
    hashDigest: (blob, blockBytes, signal, onBlock) => {
      reads.whole++;
      return digest(blob, blockBytes, signal, onBlock);
    },
    blocks: { thresholdBytes: 1000, blockBytes: BLOCK },
    concurrency: 3,
    retry: { baseDelayMs: 1, maxDelayMs: 1 },
    random: () => 0.5,
    probe: options.probe && (async () => options.probe!()),
    scheduleNotify: (notify) => notify(),
  });
  const entry = (id = "big") => session.getSnapshot().files[id]!;
  return { fake, api, session, entry, reads };
}

const allBlockMd5s = () => Promise.all([0, 1, 2, 3, 4].map(blockMd5));

/** The draft of a file hashed and half sent before a reload: blocks 0 and 3 in storage. */
async function restoredBig(md5s: readonly string[]) {
  return {
    id: "big",
    index: 0,
    name: "big.png",
    size: SIZE,
    type: "image/png" as const,
    md5: await md5(new Blob([bytes])),
    uploaded: false,
    blocks: {
      blockBytes: BLOCK,
      reported: [0, 3].map((block) => ({ block, md5: md5s[block]! })),
      md5s,
    },
  };
}

const query = (call: TransportCall) => new URL(call.request.url).searchParams;
const blockOf = (call: TransportCall) => parseBlockId(query(call).get("blockid") ?? "")?.block ?? null;
const blockCalls = (calls: readonly TransportCall[]) => calls.filter((c) => query(c).get("comp") === "block");

/** Waits until the file has been hashed and its first blocks are out. */
async function untilSending(fake: ReturnType<typeof manualTransport>, count: number) {
  for (let i = 0; i < 400 && fake.pending().length < count; i++) await new Promise((r) => setTimeout(r, 5));
  await settle();
}

describe("a large file goes in blocks", () => {
  it("sends blocks in parallel through the pool, each with its MD5 in Content-MD5 and its id, then the block list", async () => {
    const { fake, session, entry } = setup();
    session.add([bigFile()]);
    await untilSending(fake, 3);
    expect(fake.pending().map(blockOf)).toEqual([0, 1, 2]);
    for (const call of fake.pending()) {
      const block = blockOf(call)!;
      expect(call.request.headers["Content-MD5"]).toBe(await blockMd5(block));
      expect(query(call).get("blockid")).toBe(blockIdOf(block, await blockMd5(block)));
      expect(call.request.body.size).toBe(BLOCK);
    }
    await answerAll(fake);
    const list = fake.calls.at(-1)!;
    expect(query(list).get("comp")).toBe("blocklist");
    expect(list.request.headers["x-ms-blob-content-md5"]).toBe(await md5(new Blob([bytes])));
    const xml = await list.request.body.text();
    expect(xml.match(/<Latest>/g)).toHaveLength(5);
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([0, 1, 2, 3, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("pauses at once, keeping finished blocks, and resumes with only the blocks storage lacks", async () => {
    const { fake, session, entry } = setup();
    session.add([bigFile()]);
    await untilSending(fake, 3);
    const [first, second, third] = fake.pending();
    fake.answer(first!, ok);
    await settle();
    session.pause();
    await settle();
    expect(second!.request.signal.aborted && third!.request.signal.aborted).toBe(true);
    expect(fake.pending()).toEqual([]);
    expect(entry().state.kind).toBe("paused");
    expect(entry().paused).toBe(true);
    expect(sentBytesOf(entry())).toBe(BLOCK);

    const before = fake.calls.length;
    session.resume();
    await answerAll(fake);
    expect(blockCalls(fake.calls.slice(before)).map(blockOf)).toEqual([1, 2, 3, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("does not hold a file that arrived just before its Pause: nothing is left to send", async () => {
    const { fake, session, entry } = setup();
    session.add([bigFile()]);
    await untilSending(fake, 3);
    await answerAll(fake);
    await vi.waitFor(() => expect(entry().state.kind).toBe("uploaded"));
    session.pause();
    await settle();
    expect(entry().paused).toBe(false);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("holds a file paused before it was hashed, and sends nothing until resumed", async () => {
    const { fake, session, entry } = setup();
    session.add([bigFile()]);
    session.pause();
    // Hashed and announced, it is held instead of sent.
    await vi.waitFor(() => expect(entry().state.kind).toBe("paused"));
    await settle();
    expect(fake.calls).toEqual([]);
    session.resume();
    await untilSending(fake, 3);
    await answerAll(fake);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("sends again only the block that failed or was damaged on the way; finished ones are kept", async () => {
    const { fake, session, entry } = setup();
    session.add([bigFile()]);
    await untilSending(fake, 3);
    const [first, second, third] = fake.pending();
    fake.answer(second!, refusal(400, "Md5Mismatch"));
    fake.answer(first!, ok);
    fake.answer(third!, ok);
    await settle();
    expect(entry().state.kind).toBe("retrying");
    expect(sentBytesOf(entry())).toBe(2 * BLOCK);
    await untilSending(fake, 1);
    await answerAll(fake);
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([0, 1, 2, 1, 3, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("waits for the network without counting a failure, and goes on by itself once storage answers", async () => {
    let reachable = true;
    const { fake, session, entry } = setup({ probe: () => reachable });
    session.add([bigFile()]);
    await untilSending(fake, 3);
    reachable = false;
    for (const call of fake.pending()) fake.answer(call, { kind: "network-error" });
    await settle();
    expect(session.getSnapshot().network).toBe("offline");
    expect(entry().state.kind).toBe("uploading");
    expect(fake.pending()).toEqual([]);

    reachable = true;
    session.networkChanged(true);
    await untilSending(fake, 3);
    expect(session.getSnapshot().network).toBe("online");
    await answerAll(fake);
    expect(entry().state.kind).toBe("uploaded");
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([0, 1, 2, 0, 1, 2, 3, 4]);
  });

  it("after a reload, sends only the blocks storage does not hold with the same MD5", async () => {
    const { fake, session, entry } = setup();
    const wrong = await blockMd5(0);
    session.restore("b9", [
      {
        id: "big",
        index: 0,
        name: "big.png",
        size: SIZE,
        type: "image/png",
        md5: await md5(new Blob([bytes])),
        uploaded: false,
        blocks: {
          blockBytes: BLOCK,
          reported: [
            { block: 0, md5: await blockMd5(0) },
            { block: 3, md5: await blockMd5(3) },
            { block: 2, md5: wrong },
          ],
        },
      },
    ]);
    session.add([bigFile()]);
    await untilSending(fake, 3);
    expect(sentBytesOf(entry())).toBeGreaterThanOrEqual(2 * BLOCK);
    await answerAll(fake);
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([1, 2, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("after a reload with the draft's block MD5s, checks only the first and last block, then sends the rest at once", async () => {
    const { fake, session, entry, reads } = setup();
    session.restore("b9", [await restoredBig(await allBlockMd5s())]);
    session.add([bigFile()]);
    await untilSending(fake, 3);
    await answerAll(fake);
    expect(reads).toEqual({ whole: 0, blocks: 2 });
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([1, 2, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("reads the whole file again when its last block no longer hashes as the draft says", async () => {
    const { fake, session, entry, reads } = setup();
    const kept = await allBlockMd5s();
    session.restore("b9", [await restoredBig([...kept.slice(0, 4), await blockMd5(0)])]);
    session.add([bigFile()]);
    await untilSending(fake, 3);
    await answerAll(fake);
    expect(reads.whole).toBe(1);
    // The same bytes as before: blocks 0 and 3 are still the ones storage holds.
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([1, 2, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("a file added while the network is down waits for it instead of failing its announcement", async () => {
    let reachable = false;
    const { fake, api, session } = setup({ probe: () => reachable });
    const create = api.createBatch.getMockImplementation()!;
    api.createBatch.mockImplementationOnce(() =>
      Promise.reject(new ApiRequestError(0, "network_error", "Failed to fetch")),
    );
    api.createBatch.mockImplementation(create);
    session.add([smallFile()]);
    await expect.poll(() => session.getSnapshot().network).toBe("offline");
    expect(session.getSnapshot().files.small!.state.kind).toBe("announcing");
    reachable = true;
    session.networkChanged(true);
    await untilSending(fake, 1);
    await answerAll(fake);
    expect(session.getSnapshot().files.small!.state.kind).toBe("uploaded");
    expect(api.createBatch).toHaveBeenCalledTimes(2);
  });

  it("a link storage refused as expired is renewed once for the whole file, not once per block", async () => {
    const { fake, api, session, entry } = setup();
    session.add([bigFile()]);
    await untilSending(fake, 3);
    const [first, second, third] = fake.pending();
    fake.answer(first!, refusal(403, "AuthenticationFailed"));
    fake.answer(second!, ok);
    fake.answer(third!, ok);
    await untilSending(fake, 1);
    await answerAll(fake);
    expect(api.refreshBatch).toHaveBeenCalledTimes(1);
    const renewed = fake.calls.slice(3);
    expect(renewed.every((call) => call.path.includes("/g2/"))).toBe(true);
    expect(blockCalls(renewed).map(blockOf)).toEqual([0, 3, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });

  it("sends each block as soon as the worker has hashed it, and the block list only once the whole file is", async () => {
    const fake = manualTransport();
    const gate = deferred<void>();
    const real = createChunkedDigest();
    const session = createStudySession({
      api: fakeApi(600_000, 1000),
      transport: fake.transport,
      hashMd5: md5,
      // A worker that has read the first two blocks and waits before reading on.
      hashDigest: async (blob, blockBytes, signal, onBlock) => {
        const digest = await real(blob, blockBytes, signal);
        onBlock?.(0, digest.blockMd5s![0]!);
        onBlock?.(1, digest.blockMd5s![1]!);
        await gate.promise;
        digest.blockMd5s!.slice(2).forEach((blockMd5, i) => onBlock?.(i + 2, blockMd5));
        return digest;
      },
      blocks: { thresholdBytes: 1000, blockBytes: BLOCK },
      concurrency: 3,
      scheduleNotify: (notify) => notify(),
    });
    session.add([bigFile()]);
    await untilSending(fake, 2);
    expect(fake.pending().map(blockOf)).toEqual([0, 1]);
    expect(session.getSnapshot().files.big!.state).toMatchObject({ kind: "uploading", md5: "" });
    await answerAll(fake);
    // Both blocks stored; the list waits for the rest of the file.
    expect(fake.calls.map(blockOf)).toEqual([0, 1]);
    gate.resolve();
    await untilSending(fake, 1);
    await answerAll(fake);
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([0, 1, 2, 3, 4]);
    const list = fake.calls.at(-1)!;
    expect(list.request.headers["x-ms-blob-content-md5"]).toBe(await md5(new Blob([bytes])));
    expect(session.getSnapshot().files.big!.state).toEqual({
      kind: "uploaded",
      index: 0,
      md5: await md5(new Blob([bytes])),
    });
  });

  it("a file reloaded before its first hash ended is read whole first, so the blocks storage holds are not sent again", async () => {
    const { fake, session, entry } = setup();
    const md5s = await allBlockMd5s();
    session.restore("b9", [
      {
        id: "big",
        index: 0,
        name: "big.png",
        size: SIZE,
        type: "image/png",
        md5: null,
        uploaded: false,
        blocks: { blockBytes: BLOCK, reported: [0, 1].map((block) => ({ block, md5: md5s[block]! })) },
      },
    ]);
    session.add([bigFile()]);
    await untilSending(fake, 3);
    await answerAll(fake);
    expect(blockCalls(fake.calls).map(blockOf)).toEqual([2, 3, 4]);
    expect(entry().state.kind).toBe("uploaded");
  });
});
