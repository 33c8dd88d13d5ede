import { describe, expect, it } from "vitest";
import { batchStatusSchema, studyListSchema, studySchema } from "@study-uploader/shared";
import { batchPlanName, batchPlanSchema } from "../src/domain/records.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import { bearer, secretAuth, signedInUsers, tokenFor } from "./tokens.js";
import {
  commitBody,
  createBatch,
  md5Base64,
  NO_RATE_LIMITS,
  pngFile,
  putBlob,
  servedMd5,
  testApiForSuite,
  uploadAll,
  uploadThumbnails,
} from "./test-api.js";

const api = testApiForSuite({}, { config: { auth: secretAuth, rateLimits: NO_RATE_LIMITS } });
const [alice, bob] = signedInUsers("alice-status", "bob-status");

const statusOf = async (batchId: string, owner = alice) => {
  const res = await api.get(`/api/batches/${batchId}`, owner);
  const body: unknown = await res.json();
  return { status: res.status, body };
};

/** Moves a batch's creation back in time, as if it had been made `hours` ago (its deadline follows). */
async function ageBatch(batchId: string, hours: number) {
  const name = batchPlanName(batchId);
  const stored = (await api.storage.records.readStored("batches", name, batchPlanSchema))!;
  const createdAt = new Date(Date.now() - hours * 3600_000).toISOString();
  const result = await api.storage.records.replace("batches", name, { ...stored.value, createdAt }, stored.etag, {
    owner: stored.value.owner,
    createdat: createdAt,
  });
  expect(result).toBe("replaced");
}

describe("GET /api/batches/:id", () => {
  it("says which files storage holds, which were removed, and the staging deadline", async () => {
    const files = [pngFile("s0.png"), pngFile("s1.png"), pngFile("s2.png")];
    const batch = await createBatch(api, files, alice);
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    expect((await api.delete(`/api/batches/${batch.batchId}/files/2`, alice)).status).toBe(204);

    const { status, body } = await statusOf(batch.batchId);
    expect(status).toBe(200);
    const parsed = batchStatusSchema.parse(body);
    expect(parsed.files.map((f) => [f.index, f.name, f.uploaded, f.removed])).toEqual([
      [0, "s0.png", true, false],
      [1, "s1.png", false, false],
      [2, "s2.png", false, true],
    ]);
    expect(parsed.studyId).toBeNull();
    const deadline = Date.parse(parsed.stagingExpiresAt) - Date.now();
    expect(deadline).toBeGreaterThan(23.9 * 3600_000);
    expect(deadline).toBeLessThanOrEqual(24 * 3600_000);
  });

  it("names the study once the batch is committed", async () => {
    const files = [pngFile("c0.png")];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files), alice)).json());
    const parsed = batchStatusSchema.parse((await statusOf(batch.batchId)).body);
    expect(parsed.studyId).toBe(study.id);
  });

  it("is a 404 for another user's batch, an unknown or malformed id, and a batch past its deadline", async () => {
    const batch = await createBatch(api, [pngFile("o.png")], alice);
    expect((await statusOf(batch.batchId, bob)).status).toBe(404);
    expect((await statusOf("A".repeat(24))).status).toBe(404);
    expect((await statusOf("not-a-batch")).status).toBe(404);
    expect((await api.get(`/api/batches/${batch.batchId}`)).status).toBe(401);
    await ageBatch(batch.batchId, 25);
    expect((await statusOf(batch.batchId)).body).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("DELETE /api/batches/:id (a discarded draft)", () => {
  it("204: its uploads and plan are gone; refresh, status and commit then answer 404, and a repeat too", async () => {
    const files = [pngFile("d0.png"), pngFile("d1.png")];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    expect((await api.delete(`/api/batches/${batch.batchId}`, alice)).status).toBe(204);
    expect(await api.storage.images.list(`${batch.batchId}/`)).toEqual([]);
    expect((await api.post(`/api/batches/${batch.batchId}/refresh`, {}, alice)).status).toBe(404);
    expect((await statusOf(batch.batchId)).status).toBe(404);
    expect((await api.post("/api/studies", commitBody(batch, files), alice)).status).toBe(404);
    const add = { files: [{ name: "d2.png", size: 9, type: "image/png" }] };
    expect((await api.post(`/api/batches/${batch.batchId}/files`, add, alice)).status).toBe(404);
    expect((await api.delete(`/api/batches/${batch.batchId}/files/0`, alice)).status).toBe(404);
    expect((await api.delete(`/api/batches/${batch.batchId}`, alice)).status).toBe(404);
  });

  it("what a still-valid upload URL writes after the discard goes with the sweep, plan and all", async () => {
    const files = [pngFile("late0.png"), pngFile("late1.png")];
    const batch = await createBatch(api, files, alice);
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    expect((await api.delete(`/api/batches/${batch.batchId}`, alice)).status).toBe(204);
    // An upload that was on its way when the draft was discarded lands afterwards (or a crash left uploads).
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);
    expect((await statusOf(batch.batchId)).status).toBe(404);
    const counts = await sweepAbandonedBatches(
      { storage: api.storage, logger: createLogger("silent") },
      { stagingTtlHours: 24, now: new Date(Date.now() + 25 * 3600_000) },
    );
    expect(counts.failedBatches).toBe(0);
    expect(await api.storage.images.list(`${batch.batchId}/`)).toEqual([]);
    expect(await api.storage.records.exists("batches", batchPlanName(batch.batchId))).toBe(false);
  });

  it("racing a commit, ends as a study (409 batch_committed) or as nothing (204, and the commit fails)", async () => {
    for (let round = 0; round < 6; round++) {
      const files = [pngFile(`dr${round}.png`, 2400)];
      const batch = await createBatch(api, files, alice);
      await uploadAll(batch, files);
      const [commit, discard] = await Promise.all([
        api.post("/api/studies", commitBody(batch, files), alice),
        api.delete(`/api/batches/${batch.batchId}`, alice),
      ]);
      const status = batchStatusSchema.safeParse((await statusOf(batch.batchId)).body);
      if (discard.status === 204) {
        expect([404, 409, 422]).toContain(commit.status);
        expect(status.success).toBe(false);
        expect(await api.storage.images.list(`${batch.batchId}/`)).toEqual([]);
      } else {
        expect(discard.status).toBe(409);
        expect(commit.status).toBe(201);
        const study = studySchema.parse(await commit.json());
        expect(status.data?.studyId).toBe(study.id);
        expect(await servedMd5(study.elements[0]!.url)).toBe(md5Base64(files[0]!.bytes));
      }
    }
  });

  it("another user's batch is a 404 and stays whole", async () => {
    const files = [pngFile("k0.png")];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    expect((await api.delete(`/api/batches/${batch.batchId}`, bob)).status).toBe(404);
    expect(await api.storage.images.exists(`${batch.batchId}/0`)).toBe(true);
  });

  it("is refused while a commit holds the batch (409 commit_in_progress) and once it is a study (409)", async () => {
    const files = [pngFile("l0.png")];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    const lease = await api.storage.records.lease("batches", batchPlanName(batch.batchId), 15);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);
    try {
      const res = await api.delete(`/api/batches/${batch.batchId}`, alice);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: { code: "commit_in_progress" } });
    } finally {
      await lease.release();
    }
    expect(await api.storage.images.exists(`${batch.batchId}/0`)).toBe(true);
    expect((await api.post("/api/studies", commitBody(batch, files), alice)).status).toBe(201);
    const res = await api.delete(`/api/batches/${batch.batchId}`, alice);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "batch_committed" } });
  });
});

describe("download URLs and list thumbnails", () => {
  it("an element's download URL serves the same bytes as an attachment under its original name", async () => {
    const files = [pngFile('Scan ünïcode "1".png', 4000)];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files), alice)).json());
    const download = await fetch(study.elements[0]!.downloadUrl);
    expect(download.status).toBe(200);
    const disposition = download.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="Scan _n_code _1_.png"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('Scan ünïcode "1".png');
    expect(md5Base64(new Uint8Array(await download.arrayBuffer()))).toBe(md5Base64(files[0]!.bytes));
    const view = await fetch(study.elements[0]!.url);
    expect(view.headers.get("content-disposition")).toBe("inline");
  });

  it("each listed study carries a read URL of its first image's thumbnail", async () => {
    const carol = bearer(await tokenFor("carol-thumbs"));
    const files = [pngFile("first.png", 3000), pngFile("second.png", 3500)];
    const batch = await createBatch(api, files, carol);
    await uploadAll(batch, files);
    const thumbnails = await uploadThumbnails(batch);
    expect((await api.post("/api/studies", commitBody(batch, files), carol)).status).toBe(201);
    const list = studyListSchema.parse(await (await api.get("/api/studies", carol)).json());
    const thumbnail = await fetch(list.studies[0]!.thumbnailUrl!);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get("content-type")).toBe("image/jpeg");
    expect(md5Base64(new Uint8Array(await thumbnail.arrayBuffer()))).toBe(md5Base64(thumbnails[0]!));
  });
});
