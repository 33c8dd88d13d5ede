import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { addBatchFilesResponseSchema, apiErrorSchema, sleep, studySchema } from "@study-uploader/shared";
import { batchPlanName, batchPlanSchema, studyRecordName, studyRecordSchema } from "../src/domain/records.js";
import { studyIdForBatch, ownerKey } from "../src/domain/ids.js";
import { bearer, secretAuth, tokenFor } from "./tokens.js";
import {
  commitBody,
  createBatch,
  fileSpec,
  md5Base64,
  NO_RATE_LIMITS,
  pngFile,
  putBlob,
  servedMd5,
  startTestApi,
  testApiForSuite,
  uploadAll,
  type BatchResponse,
  type LocalFile,
} from "./test-api.js";

const api = testApiForSuite({ maxFiles: 4 }, { config: { rateLimits: NO_RATE_LIMITS, maxBatchBytes: 20_000 } });
const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));

const filesPath = (batch: { batchId: string }) => `/api/batches/${batch.batchId}/files`;

async function addFiles(batch: { batchId: string }, files: LocalFile[], headers: Record<string, string> = {}) {
  const res = await api.post(filesPath(batch), { files: files.map(fileSpec) }, headers);
  if (res.status !== 201) throw new Error(`add: ${res.status} ${await res.text()}`);
  return addBatchFilesResponseSchema.parse(await res.json());
}

const readPlan = async (batchId: string) =>
  (await api.storage.records.read("batches", batchPlanName(batchId), batchPlanSchema))!;

async function errorOf(res: Response) {
  return { status: res.status, ...apiErrorSchema.parse(await res.json()).error };
}

/** The upload and its snapshots, as the account sees them. */
async function blobAndSnapshots(blobName: string): Promise<number> {
  const container = service.getContainerClient(api.storage.account.containers.images);
  let count = 0;
  for await (const blob of container.listBlobsFlat({ prefix: blobName, includeSnapshots: true })) {
    if (blob.name === blobName) count++;
  }
  return count;
}

describe("POST /api/batches/:batchId/files", () => {
  it("gives new files the next indexes and upload URLs that work; the commit can include them", async () => {
    const first = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, first);
    const more = [pngFile("c.png", 3000), pngFile("d.png", 1000)];
    const added = await addFiles(batch, more);
    expect(added.files.map((f) => f.index)).toEqual([2, 3]);
    expect(Date.parse(added.expiresAt)).toBeGreaterThan(Date.now());
    const all = [...first, ...more];
    await uploadAll({ ...batch, files: [...batch.files, ...added.files] }, all);
    expect((await readPlan(batch.batchId)).files.map((f) => [f.index, f.name])).toEqual(all.map((f, i) => [i, f.name]));
    const res = await api.post("/api/studies", commitBody(batch, all));
    expect(res.status).toBe(201);
    expect(studySchema.parse(await res.json()).elements.map((e) => e.name)).toEqual(all.map((f) => f.name));
  });

  it("refuses more files, or bytes, than a batch may hold (413), counting only files not removed", async () => {
    const batch = await createBatch(api, [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")]);
    const tooMany = await api.post(filesPath(batch), {
      files: [fileSpec(pngFile("d.png")), fileSpec(pngFile("e.png"))],
    });
    expect(await errorOf(tooMany)).toMatchObject({
      status: 413,
      code: "payload_too_large",
      message: "That makes 5 files; a batch may hold at most 4 files",
    });
    const tooBig = await api.post(filesPath(batch), { files: [{ name: "big.png", size: 15_000, type: "image/png" }] });
    expect(await errorOf(tooBig)).toMatchObject({
      status: 413,
      code: "payload_too_large",
      message: expect.stringMatching(/add up to 21144 bytes; a batch may hold at most 20000 bytes/),
    });
    expect((await readPlan(batch.batchId)).files).toHaveLength(3);

    expect((await api.delete(`${filesPath(batch)}/0`)).status).toBe(204);
    expect((await api.delete(`${filesPath(batch)}/1`)).status).toBe(204);
    const added = await addFiles(batch, [pngFile("d.png"), pngFile("e.png"), pngFile("f.png")]);
    expect(added.files.map((f) => f.index)).toEqual([3, 4, 5]);
  });

  it("loses no file when several adds race: each gets its own indexes", async () => {
    const batch = await createBatch(api, [pngFile("a.png")]);
    const names = ["b.png", "c.png", "d.png"];
    const answers = await Promise.all(names.map((name) => addFiles(batch, [pngFile(name)])));
    const indexes = answers.map((a) => a.files[0]!.index);
    expect(new Set(indexes).size).toBe(3);
    const plan = await readPlan(batch.batchId);
    expect(plan.files.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    names.forEach((name, i) => expect(plan.files[indexes[i]!]!.name).toBe(name));
  });
});

describe("DELETE /api/batches/:batchId/files/:index", () => {
  it("deletes the upload with its snapshots; refresh and commit then refuse the file; a repeat is harmless", async () => {
    const files = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const blobName = `${batch.batchId}/1`;
    await service.getContainerClient(api.storage.account.containers.images).getBlobClient(blobName).createSnapshot();
    expect(await blobAndSnapshots(blobName)).toBe(2);

    const removed = await api.delete(`${filesPath(batch)}/1`);
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect(await blobAndSnapshots(blobName)).toBe(0);
    expect((await readPlan(batch.batchId)).files[1]).toMatchObject({ name: "b.png", removed: true });

    // The upload URL still lives: whatever it writes now is deleted by the repeat.
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);
    expect((await api.delete(`${filesPath(batch)}/1`)).status).toBe(204);
    expect(await blobAndSnapshots(blobName)).toBe(0);

    const refresh = await api.post(`/api/batches/${batch.batchId}/refresh`, { indexes: [0, 1] });
    expect(await errorOf(refresh)).toMatchObject({
      status: 422,
      code: "invalid_request",
      files: [{ index: 1, problem: "was removed from this batch" }],
    });
    // Without a list, only files still wanted and not yet uploaded: none here.
    await api.storage.images.delete(`${batch.batchId}/2`);
    const renewed = await api.post(`/api/batches/${batch.batchId}/refresh`, {});
    expect(await renewed.json()).toMatchObject({ files: [{ index: 2 }] });

    await uploadAll({ ...batch, files: [batch.files[2]!] }, files);
    const commit = await api.post("/api/studies", commitBody(batch, files));
    expect(await errorOf(commit)).toMatchObject({
      status: 422,
      code: "elements_mismatch",
      files: [{ index: 1, problem: "was removed from this batch" }],
    });
  });

  it("answers 404 with a clear message for an index that names no file", async () => {
    const batch = await createBatch(api, [pngFile("a.png")]);
    for (const index of ["1", "-1", "1.5", "abc", "01", "1e3", "99999999999999999999", "%20"]) {
      const res = await api.delete(`${filesPath(batch)}/${index}`);
      const error = await errorOf(res);
      expect(error, index).toMatchObject({ status: 404, code: "not_found" });
      expect(error.message, index).toMatch(/no file at index/i);
    }
    expect((await readPlan(batch.batchId)).files[0]!.removed).toBeUndefined();
  });
});

describe("edits of a batch", () => {
  it("are refused with 409 batch_committed once the batch is a study", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    expect((await api.post("/api/studies", commitBody(batch, files))).status).toBe(201);
    for (const res of [
      await api.post(filesPath(batch), { files: [fileSpec(pngFile("c.png"))] }),
      await api.delete(`${filesPath(batch)}/0`),
    ]) {
      expect(await errorOf(res)).toMatchObject({ status: 409, code: "batch_committed" });
    }
    expect((await readPlan(batch.batchId)).files).toHaveLength(2);
    expect(await api.storage.images.exists(`${batch.batchId}/0`)).toBe(true);
  });

  it("are refused with 409 commit_in_progress and Retry-After while a commit holds the batch", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const lease = await api.storage.records.lease("batches", batchPlanName(batch.batchId), 15);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);
    try {
      for (const res of [
        await api.post(filesPath(batch), { files: [fileSpec(pngFile("c.png"))] }),
        await api.delete(`${filesPath(batch)}/0`),
      ]) {
        expect(res.headers.get("retry-after")).toBe("2");
        expect(await errorOf(res)).toMatchObject({ status: 409, code: "commit_in_progress" });
      }
    } finally {
      await lease.release();
    }
    expect((await readPlan(batch.batchId)).files.map((f) => f.removed)).toEqual([undefined, undefined]);
    expect(await api.storage.images.exists(`${batch.batchId}/0`)).toBe(true);
  });

  it("made while a commit waits for the batch make it start over rather than commit a removed file", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const plan = service
      .getContainerClient(api.storage.account.containers.batches)
      .getBlockBlobClient(batchPlanName(batch.batchId));
    // Another commit holds the batch: this one reads the plan, then waits for the lease.
    const lease = plan.getBlobLeaseClient();
    await lease.acquireLease(15);
    const commit = api.post("/api/studies", commitBody(batch, files));
    await sleep(300);
    // Meanwhile file 1 is removed (its upload not yet deleted), written under the holder's lease.
    const current = await readPlan(batch.batchId);
    const edited = JSON.stringify({
      ...current,
      files: current.files.map((f) => ({ ...f, removed: f.index === 1 || undefined })),
    });
    await plan.upload(edited, Buffer.byteLength(edited), {
      conditions: { leaseId: lease.leaseId },
      metadata: { owner: current.owner, createdat: current.createdAt },
    });
    await lease.releaseLease();
    // Whether it read the plan before the edit (409, start over) or after (422): never a study with file 1.
    const error = await errorOf(await commit);
    expect([409, 422]).toContain(error.status);
    expect(error.code).toMatch(/^(commit_in_progress|elements_mismatch)$/);
    const subset = { ...commitBody(batch, files), elements: commitBody(batch, files).elements.slice(0, 1) };
    const study = studySchema.parse(await (await api.post("/api/studies", subset)).json());
    expect(study.elements.map((e) => e.name)).toEqual(["a.png"]);
  });

  it("answer 404 for a bad or unknown batch id and refuse bad bodies with 4xx JSON", async () => {
    const batch = await createBatch(api, [pngFile("a.png")]);
    const good = { files: [fileSpec(pngFile("b.png"))] };
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAAAA", "nope", "..%2F..%2Fx", "A".repeat(300)]) {
      expect(await errorOf(await api.post(`/api/batches/${id}/files`, good)), id).toMatchObject({
        status: 404,
        code: "not_found",
      });
      expect(await errorOf(await api.delete(`/api/batches/${id}/files/0`)), id).toMatchObject({
        status: 404,
        code: "not_found",
      });
    }
    const bodies: [string | object, number, string][] = [
      ["{", 400, "invalid_json"],
      ["[]", 400, "invalid_request"],
      [{}, 400, "invalid_request"],
      [{ files: [] }, 400, "invalid_request"],
      [{ files: "a.png" }, 400, "invalid_request"],
      [{ files: [{ name: "x.png", size: "10", type: "image/png" }] }, 400, "invalid_request"],
      [{ files: [{ name: "x.svg", size: 10, type: "image/svg+xml" }] }, 400, "invalid_request"],
      [{ files: [{ name: "x.png", size: -1, type: "image/png" }] }, 400, "invalid_request"],
      [{ ...good, extra: true }, 400, "invalid_request"],
      [{ files: Array.from({ length: 5 }, () => fileSpec(pngFile("x.png"))) }, 400, "invalid_request"],
    ];
    for (const [body, status, code] of bodies) {
      expect(await errorOf(await api.post(filesPath(batch), body)), JSON.stringify(body)).toMatchObject({
        status,
        code,
      });
    }
    const textBody = await fetch(api.baseUrl + filesPath(batch), { method: "POST", body: JSON.stringify(good) });
    expect(await errorOf(textBody)).toMatchObject({ status: 415, code: "unsupported_media_type" });
    expect((await readPlan(batch.batchId)).files).toHaveLength(1);
  });

  it("of another owner's batch answer 404, as if it did not exist", async () => {
    const authed = await startTestApi({}, { config: { auth: secretAuth, rateLimits: NO_RATE_LIMITS } });
    try {
      const alice = bearer(await tokenFor("alice"));
      const bob = bearer(await tokenFor("bob"));
      const batch = await createBatch(authed, [pngFile("a.png")], alice);
      const body = { files: [fileSpec(pngFile("b.png"))] };
      expect(await errorOf(await authed.post(filesPath(batch), body, bob))).toMatchObject({ status: 404 });
      expect(await errorOf(await authed.delete(`${filesPath(batch)}/0`, bob))).toMatchObject({ status: 404 });
      const plan = await authed.storage.records.read("batches", batchPlanName(batch.batchId), batchPlanSchema);
      expect(plan?.files).toHaveLength(1);
      expect((await authed.post(filesPath(batch), body, alice)).status).toBe(201);
      expect((await authed.delete(`${filesPath(batch)}/0`, alice)).status).toBe(204);
    } finally {
      await authed.close();
    }
  });
});

describe("a commit of some of a batch's files", () => {
  async function uploadedBatch(files: LocalFile[]): Promise<BatchResponse> {
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    return batch;
  }

  it("keeps the request's order; each element's index is its position and shows the right bytes", async () => {
    const files = [pngFile("a.png", 1500), pngFile("b.png", 2500), pngFile("c.png", 3500), pngFile("d.png", 900)];
    const batch = await uploadedBatch(files);
    expect((await api.delete(`${filesPath(batch)}/1`)).status).toBe(204);
    const order = [3, 0, 2];
    const res = await api.post("/api/studies", {
      batchId: batch.batchId,
      title: "Picked",
      elements: order.map((index) => ({ index, label: `label ${index}`, md5: md5Base64(files[index]!.bytes) })),
    });
    expect(res.status).toBe(201);
    const created = studySchema.parse(await res.json());
    const read = await api.get(`/api/studies/${created.id}`);
    const study = studySchema.parse(await read.json());
    for (const shown of [created, study]) {
      expect(shown.elements.map((e) => [e.index, e.name, e.label])).toEqual(
        order.map((index, position) => [position, files[index]!.name, `label ${index}`]),
      );
    }
    for (const [position, element] of study.elements.entries()) {
      expect(await servedMd5(element.url)).toBe(md5Base64(files[order[position]!]!.bytes));
    }
    const record = await api.storage.records.read(
      "studies",
      studyRecordName(ownerKey(null), studyIdForBatch(batch.batchId)),
      studyRecordSchema,
    );
    expect(record?.elements.map((e) => [e.index, "fileIndex" in e ? e.fileIndex : null])).toEqual([
      [0, 3],
      [1, 0],
      [2, 2],
    ]);
  });

  it("refuses a file listed twice or one that does not exist, and answers the same study to a repeat", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await uploadedBatch(files);
    const element = (index: number) => ({ index, label: "x", md5: md5Base64(files[index % 2]!.bytes) });
    const twice = await api.post("/api/studies", { ...commitBody(batch, files), elements: [element(1), element(1)] });
    expect(await errorOf(twice)).toMatchObject({
      status: 422,
      code: "elements_mismatch",
      files: [{ index: 1, problem: "listed more than once" }],
    });
    const unknown = await api.post("/api/studies", { ...commitBody(batch, files), elements: [element(2)] });
    expect(await errorOf(unknown)).toMatchObject({ status: 422, files: [{ index: 2 }] });
    const one = { ...commitBody(batch, files), elements: [element(1)] };
    const first = studySchema.parse(await (await api.post("/api/studies", one)).json());
    expect(first.elements.map((e) => [e.index, e.name])).toEqual([[0, "b.png"]]);
    const again = await api.post("/api/studies", one);
    expect(again.status).toBe(200);
    expect(studySchema.parse(await again.json()).id).toBe(first.id);
  });
});
