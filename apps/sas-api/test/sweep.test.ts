import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { refreshBatchResponseSchema, studySchema } from "@study-uploader/shared";
import { SWEEP_GRACE_MS } from "../src/domain/batches.js";
import { studyIdForBatch } from "../src/domain/ids.js";
import { batchPlanSchema } from "../src/domain/records.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import {
  commitBody,
  createBatch,
  md5Base64,
  pngFile,
  putBlob,
  servedMd5,
  startTestApi,
  testApiForSuite,
  uploadAll,
  type TestApi,
} from "./test-api.js";

const api = testApiForSuite();

const HOUR = 3600_000;
const logger = createLogger("silent");
const sweep = (now: Date) => sweepAbandonedBatches({ storage: api.storage, logger }, { stagingTtlHours: 24, now });
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR);
const uploadsOf = async (batchId: string) => (await api.storage.images.list(`${batchId}/`)).sort();
const planExists = (batchId: string) => api.storage.records.exists("batches", `${batchId}.json`);

/** Uploads under a prefix including snapshots, as the account sees them. */
async function uploadsWithSnapshots(prefix: string): Promise<number> {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  const container = service.getContainerClient(api.storage.account.containers.images);
  let count = 0;
  for await (const _ of container.listBlobsFlat({ prefix, includeSnapshots: true })) count++;
  return count;
}

/** Rewrites a plan's creation time, as if the batch had been made that long ago. */
async function agePlan(target: TestApi, batchId: string, ageMs: number) {
  const name = `${batchId}.json`;
  const plan = await target.storage.records.read("batches", name, batchPlanSchema);
  await target.storage.records.delete("batches", name);
  const createdAt = new Date(Date.now() - ageMs).toISOString();
  await target.storage.records.create(
    "batches",
    name,
    { ...plan, createdAt },
    { owner: plan!.owner, createdat: createdAt },
  );
}

describe("sweepAbandonedBatches", () => {
  it("closes batches past their deadline and grace: abandoned ones go, committed ones keep only their study", async () => {
    const abandonedFiles = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const abandoned = await createBatch(api, abandonedFiles);
    await putBlob(abandoned.files[0]!, abandonedFiles[0]!.bytes);
    await putBlob(abandoned.files[2]!, abandonedFiles[2]!.bytes);

    const committedFiles = [pngFile("d.png"), pngFile("e.png")];
    const committed = await createBatch(api, committedFiles);
    await uploadAll(committed, committedFiles);
    const study = studySchema.parse(
      await (await api.post("/api/studies", commitBody(committed, committedFiles))).json(),
    );

    const neverUploaded = await createBatch(api, [pngFile("f.png")]);

    expect(await sweep(new Date())).toMatchObject({ examined: 0 });
    // Past the deadline but inside the grace margin: a commit that started in time may still be writing.
    expect(await sweep(new Date(Date.now() + 24 * HOUR + SWEEP_GRACE_MS / 2))).toMatchObject({ examined: 0 });
    expect(await uploadsOf(abandoned.batchId)).toHaveLength(2);

    const counts = await sweep(inHours(25));
    expect(counts).toEqual({
      examined: 3,
      deletedBatches: 2,
      closedCommitted: 1,
      deletedUploads: 4,
      deletedCopies: 0,
      failedBatches: 0,
      finishedDeletes: 0,
      failedDeletes: 0,
    });
    for (const batch of [abandoned, committed, neverUploaded]) {
      expect(await uploadsOf(batch.batchId)).toEqual([]);
      expect(await planExists(batch.batchId)).toBe(false);
    }

    // The study shows its copies, untouched, and a repeated commit still answers with it.
    const again = await api.post("/api/studies", commitBody(committed, committedFiles));
    expect(again.status).toBe(200);
    for (const element of studySchema.parse(await again.json()).elements) {
      const image = await fetch(element.url);
      expect(md5Base64(new Uint8Array(await image.arrayBuffer()))).toBe(
        md5Base64(committedFiles[element.index]!.bytes),
      );
    }
    expect(studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json()).elements).toHaveLength(2);

    // Nothing left to look at: the next run's cost no longer includes the committed study.
    expect(await sweep(inHours(25))).toMatchObject({ examined: 0 });
  });

  it("deletes every upload of a batch committed in part: files removed and files left out", async () => {
    const files = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png"), pngFile("d.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    expect((await api.delete(`/api/batches/${batch.batchId}/files/1`)).status).toBe(204);
    // Its upload URL still works until it expires: the sweep must catch what it writes.
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);
    const body = commitBody(batch, files);
    const res = await api.post("/api/studies", { ...body, elements: [body.elements[2], body.elements[0]] });
    const study = studySchema.parse(await res.json());
    expect(await uploadsOf(batch.batchId)).toHaveLength(4);

    await agePlan(api, batch.batchId, 25 * HOUR);
    expect(await sweep(new Date())).toMatchObject({ closedCommitted: 1, deletedUploads: 4, failedBatches: 0 });
    expect(await uploadsOf(batch.batchId)).toEqual([]);
    const shown = studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json()).elements;
    expect(shown.map((e) => e.name)).toEqual(["c.png", "a.png"]);
    for (const [position, element] of shown.entries()) {
      expect(await servedMd5(element.url)).toBe(md5Base64(files[[2, 0][position]!]!.bytes));
    }
  });

  it("deletes snapshots with their uploads, copies no study shows, and goes on past a batch it cannot sweep", async () => {
    const files = [pngFile("a.png")];
    const snapped = await createBatch(api, files);
    await uploadAll(snapped, files);
    expect((await fetch(`${snapped.files[0]!.uploadUrl}&comp=snapshot`, { method: "PUT" })).status).toBe(201);
    expect(await uploadsWithSnapshots(`${snapped.batchId}/`)).toBe(2);

    const busy = await createBatch(api, files);
    await uploadAll(busy, files);
    const lease = await api.storage.records.lease("batches", `${busy.batchId}.json`, 60);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);

    // A copy left by a commit that failed after copying: no study shows it.
    const orphaned = await createBatch(api, files);
    const orphan = `${studyIdForBatch(orphaned.batchId)}/0-leftover`;
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    await service
      .getContainerClient(api.storage.account.containers.committed)
      .getBlockBlobClient(orphan)
      .upload("x", 1);

    try {
      const counts = await sweep(inHours(25));
      expect(counts).toMatchObject({ examined: 3, deletedBatches: 2, deletedCopies: 1, failedBatches: 1 });
      expect(await uploadsWithSnapshots(`${snapped.batchId}/`)).toBe(0);
      expect(await api.storage.committed.list(`${studyIdForBatch(orphaned.batchId)}/`)).toEqual([]);
      expect(await planExists(busy.batchId)).toBe(true);
    } finally {
      await lease.release();
    }
    expect(await sweep(inHours(25))).toMatchObject({ examined: 1, deletedBatches: 1, failedBatches: 0 });
    expect(await planExists(busy.batchId)).toBe(false);
  });

  it("refuses to refresh or commit a batch past the staging TTL, so the sweep cannot race a late commit", async () => {
    const shortTtl = await startTestApi({}, { config: { stagingTtlHours: 1 }, containerPrefix: api.containerPrefix });
    try {
      const files = [pngFile("a.png")];
      const batch = await createBatch(shortTtl, files);
      await uploadAll(batch, files);
      await agePlan(shortTtl, batch.batchId, 2 * HOUR);
      expect((await shortTtl.post(`/api/batches/${batch.batchId}/refresh`, {})).status).toBe(404);
      expect((await shortTtl.post("/api/studies", commitBody(batch, files))).status).toBe(404);
    } finally {
      await shortTtl.close();
    }
  });

  it("never hands out an upload URL that outlives its batch's deadline", async () => {
    // Upload URLs last 10 minutes; this batch has 5 left.
    const shortTtl = await startTestApi({}, { config: { stagingTtlHours: 1 }, containerPrefix: api.containerPrefix });
    try {
      const batch = await createBatch(shortTtl, [pngFile("a.png")]);
      await agePlan(shortTtl, batch.batchId, HOUR - 5 * 60_000);
      const plan = await shortTtl.storage.records.read("batches", `${batch.batchId}.json`, batchPlanSchema);
      const deadline = Date.parse(plan!.createdAt) + HOUR;
      const res = await shortTtl.post(`/api/batches/${batch.batchId}/refresh`, {});
      expect(res.status).toBe(200);
      const refreshed = refreshBatchResponseSchema.parse(await res.json());
      expect(Date.parse(refreshed.expiresAt)).toBeLessThanOrEqual(deadline);
      const se = new URL(refreshed.files[0]!.uploadUrl).searchParams.get("se")!;
      expect(Date.parse(se)).toBeLessThanOrEqual(deadline);

      // Under a minute left: no URL at all rather than one too short to upload with.
      await agePlan(shortTtl, batch.batchId, HOUR - 30_000);
      expect((await shortTtl.post(`/api/batches/${batch.batchId}/refresh`, {})).status).toBe(404);
    } finally {
      await shortTtl.close();
    }
  });
});
