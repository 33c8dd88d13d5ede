import { describe, expect, it } from "vitest";
import {
  apiErrorSchema,
  batchStatusSchema,
  blockIdOf,
  refreshBatchResponseSchema,
  studySchema,
  MiB,
} from "@study-uploader/shared";
import { studyIdForBatch } from "../src/domain/ids.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import { azuriteService, blocksOf, namesWithUncommitted, putBlock, putBlockList, uploadInBlocks } from "./blocks.js";
import {
  commitBody,
  createBatch,
  md5Base64,
  NO_RATE_LIMITS,
  pngFile,
  putBlob,
  servedMd5,
  testApiForSuite,
  type BatchResponse,
  type LocalFile,
} from "./test-api.js";

const BLOCK_BYTES = 256 * 1024;
// Files above 1 MiB go in blocks: a few blocks each keeps these tests fast.
const api = testApiForSuite(
  { blockThresholdBytes: MiB, blockBytes: BLOCK_BYTES },
  { config: { rateLimits: NO_RATE_LIMITS } },
);

/** Five blocks: four of 256 KiB and a last one of 100 KiB. */
const largePng = (name: string) => pngFile(name, MiB + 100 * 1024);

const commit = (batch: BatchResponse, files: LocalFile[]) => api.post("/api/studies", commitBody(batch, files));

async function refusal(res: Response) {
  expect(res.status).toBe(422);
  const { error } = apiErrorSchema.parse(await res.json());
  expect(error.code).toBe("verification_failed");
  return error.files;
}

/** Committed copies of a batch's study, as the account sees them (block lists never put are not listed). */
async function committedCopies(batchId: string): Promise<string[]> {
  const names: string[] = [];
  const container = azuriteService().getContainerClient(api.storage.account.containers.committed);
  for await (const blob of container.listBlobsFlat({ prefix: `${studyIdForBatch(batchId)}/` })) names.push(blob.name);
  return names;
}

async function freshTarget(batch: BatchResponse, index: number) {
  const res = await api.post(`/api/batches/${batch.batchId}/refresh`, { indexes: [index] });
  return refreshBatchResponseSchema.parse(await res.json()).files[0]!;
}

describe("a file above the block threshold", () => {
  it("gets a blocks upload URL; sent as blocks it commits with the same bytes and the server's headers", async () => {
    const files = [largePng("large.png"), pngFile("small.png", 3000)];
    const batch = await createBatch(api, files);
    expect(batch.files.map((f) => (f as { mode?: string }).mode)).toEqual(["blocks", "single"]);
    expect(batch.files[0]!.headers).toEqual({ "x-ms-blob-content-type": "image/png" });
    await uploadInBlocks(batch.files[0]!, files[0]!.bytes, BLOCK_BYTES);
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);

    const res = await commit(batch, files);
    expect(res.status).toBe(201);
    const study = studySchema.parse(await res.json());
    for (const element of study.elements) {
      expect(await servedMd5(element.url)).toBe(md5Base64(files[element.index]!.bytes));
    }
    const [, , container, ...blob] = new URL(study.elements[0]!.url).pathname.split("/");
    const props = await azuriteService().getContainerClient(container!).getBlobClient(blob.join("/")).getProperties();
    expect(props.contentType).toBe("image/png");
    expect(Buffer.from(props.contentMD5!).toString("base64")).toBe(md5Base64(files[0]!.bytes));
    expect(props.metadata).toEqual({ study: study.id, element: "0" });
  });

  it("is refused when a block's id names another MD5 than its bytes, nothing committed; sent again, it commits", async () => {
    const files = [largePng("lying.png")];
    const batch = await createBatch(api, files);
    const target = batch.files[0]!;
    const blocks = blocksOf(files[0]!.bytes, BLOCK_BYTES);
    const claimed = md5Base64(Buffer.from("other bytes"));
    // Storage takes the block (its Content-MD5 is right); only its id lies about it.
    for (const b of blocks) {
      const named = b.block === 2 ? { md5: claimed } : undefined;
      expect((await putBlock(target.uploadUrl, b.block, b.data, named)).status).toBe(201);
    }
    const ids = blocks.map((b) => (b.block === 2 ? blockIdOf(2, claimed) : b.id));
    expect((await putBlockList(target, ids, md5Base64(files[0]!.bytes))).status).toBe(201);

    expect(await refusal(await commit(batch, files))).toEqual([
      { index: 0, problem: "stored bytes do not match the checksum of block 2" },
    ]);
    expect(await committedCopies(batch.batchId)).toEqual([]);
    expect((await api.get(`/api/studies/${studyIdForBatch(batch.batchId)}`)).status).toBe(404);

    await uploadInBlocks(await freshTarget(batch, 0), files[0]!.bytes, BLOCK_BYTES);
    const res = await commit(batch, files);
    expect(res.status).toBe(201);
    expect(await servedMd5(studySchema.parse(await res.json()).elements[0]!.url)).toBe(md5Base64(files[0]!.bytes));
  });

  it("cannot be sent with a block whose Content-MD5 does not match its bytes: storage refuses it", async () => {
    const files = [largePng("damaged.png")];
    const batch = await createBatch(api, files);
    const [first] = blocksOf(files[0]!.bytes, BLOCK_BYTES);
    const res = await fetch(`${batch.files[0]!.uploadUrl}&comp=block&blockid=${encodeURIComponent(first!.id)}`, {
      method: "PUT",
      headers: { "content-md5": md5Base64(Buffer.from("not these bytes")) },
      body: first!.data,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-ms-error-code")).toBe("Md5Mismatch");
  });

  it.each([
    ["skips a block", (ids: string[]) => ids.filter((_, i) => i !== 1)],
    ["names blocks out of order", (ids: string[]) => [ids[1]!, ids[0]!, ...ids.slice(2)]],
  ])("is refused when its block list %s", async (_, reorder) => {
    const files = [largePng("gap.png")];
    const batch = await createBatch(api, files);
    const blocks = blocksOf(files[0]!.bytes, BLOCK_BYTES);
    for (const b of blocks) expect((await putBlock(batch.files[0]!.uploadUrl, b.block, b.data)).status).toBe(201);
    const ids = reorder(blocks.map((b) => b.id));
    expect((await putBlockList(batch.files[0]!, ids, md5Base64(files[0]!.bytes))).status).toBe(201);
    expect(await refusal(await commit(batch, files))).toEqual([
      { index: 0, problem: expect.stringMatching(/size|was not uploaded as the blocks it names/) as string },
    ]);
    expect(await committedCopies(batch.batchId)).toEqual([]);
  });

  it("is refused when its blocks have uneven sizes or ids this app does not make", async () => {
    const files = [largePng("uneven.png"), largePng("foreign.png"), largePng("whole.png")];
    const batch = await createBatch(api, files);
    // Right bytes, right ids and a right total, but a first block larger than the rest: not the uploader's shape.
    const bytes = files[0]!.bytes;
    const first = bytes.subarray(0, 300 * 1024);
    const rest = blocksOf(bytes.subarray(first.length), BLOCK_BYTES).map((b) => ({ ...b, block: b.block + 1 }));
    const uneven = [{ block: 0, data: first }, ...rest].map((b) => ({
      ...b,
      id: blockIdOf(b.block, md5Base64(b.data)),
    }));
    for (const b of uneven) expect((await putBlock(batch.files[0]!.uploadUrl, b.block, b.data)).status).toBe(201);
    const unevenIds = uneven.map((b) => b.id);
    expect((await putBlockList(batch.files[0]!, unevenIds, md5Base64(bytes))).status).toBe(201);
    const foreign = blocksOf(files[1]!.bytes, BLOCK_BYTES).map((b, i) => ({
      ...b,
      id: Buffer.from(`block-${String(i).padStart(24, "0")}`).toString("base64"),
    }));
    for (const b of foreign) {
      const res = await fetch(`${batch.files[1]!.uploadUrl}&comp=block&blockid=${encodeURIComponent(b.id)}`, {
        method: "PUT",
        headers: { "content-md5": md5Base64(b.data) },
        body: b.data,
      });
      expect(res.status).toBe(201);
    }
    const ids = foreign.map((b) => b.id);
    expect((await putBlockList(batch.files[1]!, ids, md5Base64(files[1]!.bytes))).status).toBe(201);
    // One Put Blob through the blocks URL: no block list to check each block's MD5 by.
    const whole = await putBlob({ ...batch.files[2]!, headers: { "x-ms-blob-type": "BlockBlob" } }, files[2]!.bytes);
    expect(whole.status).toBe(201);

    const problems = await refusal(await commit(batch, files));
    const blocksProblem = "was not uploaded as the blocks it names; upload it again";
    expect(problems).toEqual([
      { index: 0, problem: blocksProblem },
      { index: 1, problem: blocksProblem },
      { index: 2, problem: blocksProblem },
    ]);
    expect(await committedCopies(batch.batchId)).toEqual([]);
  });

  it("has an upload URL for its one blob only", async () => {
    const files = [largePng("scoped.png"), largePng("other.png")];
    const batch = await createBatch(api, files);
    const [first] = blocksOf(files[0]!.bytes, BLOCK_BYTES);
    const url = new URL(batch.files[0]!.uploadUrl);
    url.pathname = url.pathname.replace(/\/0$/, "/1");
    expect((await putBlock(url.toString(), 0, first!.data)).status).toBe(403);
    const read = await fetch(batch.files[0]!.uploadUrl);
    expect(read.status).toBe(403);
    const list = new URL(batch.files[0]!.uploadUrl);
    list.pathname = list.pathname.replace(/\/[^/]+\/0$/, "");
    expect((await fetch(`${list.toString()}&restype=container&comp=list`)).status).toBe(403);
    expect((await fetch(batch.files[0]!.uploadUrl, { method: "DELETE" })).status).toBe(403);
  });
});

describe("GET /api/batches/:id for a file sent in blocks", () => {
  it("reports the blocks storage holds until the file is uploaded, then none", async () => {
    const files = [largePng("half.png"), pngFile("single.png", 2000)];
    const batch = await createBatch(api, files);
    const blocks = blocksOf(files[0]!.bytes, BLOCK_BYTES);
    for (const b of [blocks[0]!, blocks[2]!]) {
      expect((await putBlock(batch.files[0]!.uploadUrl, b.block, b.data)).status).toBe(201);
    }
    const status = async () => batchStatusSchema.parse(await (await api.get(`/api/batches/${batch.batchId}`)).json());
    const half = await status();
    expect(half.files[0]).toMatchObject({ uploaded: false });
    expect(half.files[0]!.stagedBlocks).toEqual([
      { block: 0, md5: md5Base64(blocks[0]!.data), size: BLOCK_BYTES },
      { block: 2, md5: md5Base64(blocks[2]!.data), size: BLOCK_BYTES },
    ]);
    expect(half.files[1]!.stagedBlocks).toBeUndefined();

    await uploadInBlocks(batch.files[0]!, files[0]!.bytes, BLOCK_BYTES);
    const done = await status();
    expect(done.files[0]).toMatchObject({ uploaded: true });
    expect(done.files[0]!.stagedBlocks).toBeUndefined();
  });

  it("reports no blocks for a block file nothing was sent for", async () => {
    const batch = await createBatch(api, [largePng("none.png")]);
    const status = batchStatusSchema.parse(await (await api.get(`/api/batches/${batch.batchId}`)).json());
    expect(status.files[0]).toMatchObject({ uploaded: false, stagedBlocks: [] });
  });
});

describe("uncommitted blocks", () => {
  const images = () => api.storage.account.containers.images;

  async function halfSent(name: string) {
    const files = [largePng(name), largePng(`${name}-2`)];
    const batch = await createBatch(api, files);
    for (const target of batch.files) {
      const [first] = blocksOf(files[target.index]!.bytes, BLOCK_BYTES);
      expect((await putBlock(target.uploadUrl, 0, first!.data)).status).toBe(201);
    }
    expect(await namesWithUncommitted(images(), `${batch.batchId}/`)).toHaveLength(2);
    return batch;
  }

  it("go when their file is removed, and when the batch is discarded", async () => {
    const batch = await halfSent("removed");
    expect((await api.delete(`/api/batches/${batch.batchId}/files/0`)).status).toBe(204);
    expect(await namesWithUncommitted(images(), `${batch.batchId}/`)).toEqual([`${batch.batchId}/1`]);
    expect((await api.delete(`/api/batches/${batch.batchId}`)).status).toBe(204);
    expect(await namesWithUncommitted(images(), `${batch.batchId}/`)).toEqual([]);
  });

  it("go with their batch at the sweep, and so do blocks a failed block copy left in the committed container", async () => {
    const batch = await halfSent("swept");
    const committed = api.storage.account.containers.committed;
    const studyId = studyIdForBatch(batch.batchId);
    // What a block copy refused half-way leaves: blocks under a copy's name, never put as a list.
    const [first] = blocksOf(largePng("copy.png").bytes, BLOCK_BYTES);
    const leftover = azuriteService().getContainerClient(committed).getBlockBlobClient(`${studyId}/0-x`);
    await leftover.stageBlock(first!.id, first!.data, first!.data.length);
    expect(await namesWithUncommitted(committed, `${studyId}/`)).toEqual([`${studyId}/0-x`]);

    const counts = await sweepAbandonedBatches(
      { storage: api.storage, logger: createLogger("silent") },
      { stagingTtlHours: 24, now: new Date(Date.now() + 25 * 3600_000) },
    );
    expect(counts.failedBatches).toBe(0);
    expect(await namesWithUncommitted(images(), `${batch.batchId}/`)).toEqual([]);
    expect(await namesWithUncommitted(committed, `${studyId}/`)).toEqual([]);
  });

  it("a delete of a name with nothing committed leaves nothing there, whatever storage answers first", async () => {
    const batch = await halfSent("discarded");
    // Azurite deletes a name holding only blocks at once; Azure answers 404 and gets the empty Put Blob.
    await api.storage.images.delete(`${batch.batchId}/0`, { blocks: true });
    // Nothing there at all (Azure's case after its 404): the empty blob is written and deleted again.
    await api.storage.images.delete(`${batch.batchId}/9`, { blocks: true });
    expect(await namesWithUncommitted(images(), `${batch.batchId}/`)).toEqual([`${batch.batchId}/1`]);
  });
});
