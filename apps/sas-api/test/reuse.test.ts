import { describe, expect, it } from "vitest";
import {
  apiErrorSchema,
  createBatchResponseSchema,
  studySchema,
  type CreateBatchResponse,
} from "@study-uploader/shared";
import {
  commitBody,
  fileSpec,
  md5Base64,
  pngFile,
  putBlob,
  servedMd5,
  testApiForSuite,
  uploadAll,
  type LocalFile,
} from "./test-api.js";
import { secretAuth, signedInUsers } from "./tokens.js";

/** Blocks from 64 KiB up: a 100 KiB file is sent in blocks, and such files are never filled from a stored image. */
const api = testApiForSuite({ blockThresholdBytes: 64 * 1024 }, { config: { auth: secretAuth } });
const [alice, bob] = signedInUsers("alice", "bob");

async function batchOf(files: LocalFile[], user: Record<string, string>): Promise<CreateBatchResponse> {
  const res = await api.post("/api/batches", { files: files.map(fileSpec) }, user);
  expect(res.status).toBe(201);
  return createBatchResponseSchema.parse(await res.json());
}

const reuse = (batchId: string, index: number, md5: string, user: Record<string, string>) =>
  api.post(`/api/batches/${batchId}/files/${index}/reuse`, { md5 }, user);

async function reused(batchId: string, index: number, file: LocalFile, user: Record<string, string>) {
  const res = await reuse(batchId, index, md5Base64(file.bytes), user);
  expect(res.status).toBe(200);
  return ((await res.json()) as { reused: boolean }).reused;
}

async function commitAs(batch: CreateBatchResponse, files: LocalFile[], user: Record<string, string>) {
  const res = await api.post("/api/studies", commitBody(batch, files), user);
  expect(res.status).toBe(201);
  return studySchema.parse(await res.json());
}

describe("an image its owner already has", () => {
  it("is offered for reuse by size and MD5, copied without a PUT, and read back intact", async () => {
    const [a, b, fresh] = [pngFile("a.png", 3000), pngFile("b.png", 3100), pngFile("c.png", 3200)];
    const first = await batchOf([a, b], alice);
    expect(first.files.map((f) => f.storedMd5s)).toEqual([undefined, undefined]);
    await uploadAll(first, [a, b]);
    await commitAs(first, [a, b], alice);

    const files = [b, fresh, a];
    const second = await batchOf(files, alice);
    expect(second.files.map((f) => f.storedMd5s)).toEqual([[md5Base64(b.bytes)], undefined, [md5Base64(a.bytes)]]);
    expect(await reused(second.batchId, 0, b, alice)).toBe(true);
    expect(await reused(second.batchId, 2, a, alice)).toBe(true);
    // Asked again (an answer lost on the way): the upload holds those bytes, so it still counts as reused.
    expect(await reused(second.batchId, 2, a, alice)).toBe(true);
    // Nothing stored under this size and MD5: sent as usual.
    expect(await reused(second.batchId, 1, fresh, alice)).toBe(false);
    expect((await putBlob(second.files[1]!, fresh.bytes)).status).toBe(201);

    const study = await commitAs(second, files, alice);
    expect(await Promise.all(study.elements.map((e) => servedMd5(e.url)))).toEqual(
      files.map((f) => md5Base64(f.bytes)),
    );
  });

  it("is never another owner's: the same bytes are neither offered nor copied across users", async () => {
    const shared = pngFile("shared.png", 4000);
    const alices = await batchOf([shared], alice);
    await uploadAll(alices, [shared]);
    await commitAs(alices, [shared], alice);

    const bobs = await batchOf([shared], bob);
    expect(bobs.files[0]!.storedMd5s).toBeUndefined();
    expect(await reused(bobs.batchId, 0, shared, bob)).toBe(false);
    // Nor can Bob name Alice's batch.
    expect((await reuse(alices.batchId, 0, md5Base64(shared.bytes), bob)).status).toBe(404);
    await uploadAll(bobs, [shared]);
    const study = await commitAs(bobs, [shared], bob);
    expect(await servedMd5(study.elements[0]!.url)).toBe(md5Base64(shared.bytes));
  });

  it("is not offered once its study is deleted: the browser sends it again", async () => {
    const image = pngFile("gone.png", 5000);
    const first = await batchOf([image], alice);
    await uploadAll(first, [image]);
    const study = await commitAs(first, [image], alice);
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);

    const again = await batchOf([image], alice);
    expect(again.files[0]!.storedMd5s).toBeUndefined();
    expect(await reused(again.batchId, 0, image, alice)).toBe(false);
    await uploadAll(again, [image]);
    const second = await commitAs(again, [image], alice);
    expect(await servedMd5(second.elements[0]!.url)).toBe(md5Base64(image.bytes));
    const third = await batchOf([image], alice);
    expect(third.files[0]!.storedMd5s).toEqual([md5Base64(image.bytes)]);
  });

  it("is not copied when its copy has gone behind the API's back: the browser sends it", async () => {
    const image = pngFile("vanished.png", 5100);
    const first = await batchOf([image], alice);
    await uploadAll(first, [image]);
    const study = await commitAs(first, [image], alice);
    // As if a delete had stopped before it could forget the image: the record names a copy that is gone.
    for (const name of await api.storage.committed.list(`${study.id}/`)) await api.storage.committed.delete(name);

    const again = await batchOf([image], alice);
    expect(again.files[0]!.storedMd5s).toEqual([md5Base64(image.bytes)]);
    expect(await reused(again.batchId, 0, image, alice)).toBe(false);
    // That record went with the failed reuse.
    expect((await batchOf([image], alice)).files[0]!.storedMd5s).toBeUndefined();
    await uploadAll(again, [image]);
    expect(await servedMd5((await commitAs(again, [image], alice)).elements[0]!.url)).toBe(md5Base64(image.bytes));
  });

  it("is never copied into a file sent in blocks", async () => {
    const big = pngFile("big.png", 100 * 1024);
    const first = await batchOf([pngFile("small.png", 2000)], alice);
    const blocks = await batchOf([big], alice);
    expect(blocks.files[0]).toMatchObject({ mode: "blocks" });
    expect(blocks.files[0]!.storedMd5s).toBeUndefined();
    expect(await reused(blocks.batchId, 0, big, alice)).toBe(false);
    expect(first.files[0]!.storedMd5s).toBeUndefined();
  });

  it("refuses bad requests with clear JSON errors", async () => {
    const image = pngFile("x.png", 2500);
    const batch = await batchOf([image, pngFile("y.png", 2600)], alice);
    const md5 = md5Base64(image.bytes);
    const cases: [Promise<Response>, number, string][] = [
      [reuse(batch.batchId, 0, "not-an-md5", alice), 400, "invalid_request"],
      [api.post(`/api/batches/${batch.batchId}/files/0/reuse`, { md5, extra: 1 }, alice), 400, "invalid_request"],
      [reuse(batch.batchId, 7, md5, alice), 404, "not_found"],
      [reuse("AAAAAAAAAAAAAAAAAAAAAAAA", 0, md5, alice), 404, "not_found"],
      [api.post(`/api/batches/${batch.batchId}/files/-1/reuse`, { md5 }, alice), 404, "not_found"],
      [api.post(`/api/batches/${batch.batchId}/files/0/reuse`, { md5 }), 401, "unauthorized"],
    ];
    for (const [answer, status, code] of cases) {
      const res = await answer;
      expect(res.status).toBe(status);
      expect(apiErrorSchema.parse(await res.json()).error.code).toBe(code);
    }
    expect((await api.delete(`/api/batches/${batch.batchId}/files/1`, alice)).status).toBe(204);
    const removed = await reuse(batch.batchId, 1, md5, alice);
    expect(removed.status).toBe(404);
    expect(apiErrorSchema.parse(await removed.json()).error.message).toMatch(/No file at index 1/);
  });
});

describe("with REUSE_STORED_IMAGES=false", () => {
  const off = testApiForSuite({}, { config: { reuseStoredImages: false } });

  it("offers nothing and copies nothing: every image is sent", async () => {
    const image = pngFile("off.png", 2700);
    const post = async (path: string, body: unknown) => off.post(path, body);
    const first = createBatchResponseSchema.parse(
      await (await post("/api/batches", { files: [fileSpec(image)] })).json(),
    );
    await uploadAll(first, [image]);
    expect((await post("/api/studies", commitBody(first, [image]))).status).toBe(201);

    const again = createBatchResponseSchema.parse(
      await (await post("/api/batches", { files: [fileSpec(image)] })).json(),
    );
    expect(again.files[0]!.storedMd5s).toBeUndefined();
    const res = await post(`/api/batches/${again.batchId}/files/0/reuse`, { md5: md5Base64(image.bytes) });
    expect(await res.json()).toEqual({ reused: false });
  });
});
