import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchPlanSchema } from "../src/domain/records.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import { commitBody, createBatch, pngFile, putBlob, startTestApi, uploadAll, type TestApi } from "./test-api.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const HOUR = 3600_000;
const logger = createLogger("silent");
const imagesOf = async (batchId: string) => (await api.storage.images.list(`${batchId}/`)).sort();
const planExists = (batchId: string) => api.storage.records.exists("batches", `${batchId}.json`);

describe("sweepAbandonedBatches", () => {
  it("deletes old uncommitted batches and nothing that is young or committed", async () => {
    const abandonedFiles = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const abandoned = await createBatch(api, abandonedFiles);
    await putBlob(abandoned.files[0]!, abandonedFiles[0]!.bytes);
    await putBlob(abandoned.files[2]!, abandonedFiles[2]!.bytes);

    const committedFiles = [pngFile("d.png"), pngFile("e.png")];
    const committed = await createBatch(api, committedFiles);
    await uploadAll(committed, committedFiles);
    expect((await api.post("/api/studies", commitBody(committed, committedFiles))).status).toBe(201);

    const neverUploaded = await createBatch(api, [pngFile("f.png")]);

    // Nothing is a day old yet: a sweep now touches nothing.
    const now = await sweepAbandonedBatches({ storage: api.storage, logger }, { olderThanHours: 24 });
    expect(now).toEqual({ examined: 0, deletedBatches: 0, deletedImages: 0, committedKept: 0 });
    expect(await imagesOf(abandoned.batchId)).toHaveLength(2);

    // A day and a bit later (an injected clock, not a wait): both uncommitted batches go, the study stays.
    const tomorrow = new Date(Date.now() + 25 * HOUR);
    const counts = await sweepAbandonedBatches({ storage: api.storage, logger }, { olderThanHours: 24, now: tomorrow });
    expect(counts).toMatchObject({ deletedBatches: 2, deletedImages: 2, committedKept: 1 });
    expect(await imagesOf(abandoned.batchId)).toEqual([]);
    expect(await planExists(abandoned.batchId)).toBe(false);

    // The committed study is untouched: its images, its plan (repeat commits still answer) and its URLs work.
    expect(await imagesOf(committed.batchId)).toEqual([`${committed.batchId}/0`, `${committed.batchId}/1`]);
    const again = await api.post("/api/studies", commitBody(committed, committedFiles));
    expect(again.status).toBe(200);
    const study = (await again.json()) as { elements: { url: string }[] };
    expect((await fetch(study.elements[0]!.url)).status).toBe(200);

    expect(await planExists(neverUploaded.batchId)).toBe(false);

    const second = await sweepAbandonedBatches({ storage: api.storage, logger }, { olderThanHours: 24, now: tomorrow });
    expect(second).toEqual({ examined: 1, deletedBatches: 0, deletedImages: 0, committedKept: 1 });
  });

  it("refuses to refresh or commit a batch past the staging TTL, so the sweep cannot race a late commit", async () => {
    const shortTtl = await startTestApi({}, { config: { stagingTtlHours: 1 }, containerPrefix: api.containerPrefix });
    try {
      const files = [pngFile("a.png")];
      const batch = await createBatch(shortTtl, files);
      await uploadAll(batch, files);
      // Age the plan by rewriting its creation time, as if it had been made two hours ago.
      const plan = await shortTtl.storage.records.read("batches", `${batch.batchId}.json`, batchPlanSchema);
      await shortTtl.storage.records.delete("batches", `${batch.batchId}.json`);
      await shortTtl.storage.records.create("batches", `${batch.batchId}.json`, {
        ...plan,
        createdAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      });
      expect((await shortTtl.post(`/api/batches/${batch.batchId}/refresh`, {})).status).toBe(404);
      expect((await shortTtl.post("/api/studies", commitBody(batch, files))).status).toBe(404);
    } finally {
      await shortTtl.close();
    }
  });
});
