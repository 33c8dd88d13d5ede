import { describe, expect, it } from "vitest";
import { studyListSchema, studySchema, type Study } from "@study-uploader/shared";
import { ownerKey, studyIdForBatch } from "../src/domain/ids.js";
import { studyRecordName, studyRecordSchema, type StudyRecord } from "../src/domain/records.js";
import { indexStudy } from "../src/domain/study-index.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import { bearer, secretAuth, signedInUsers, tokenFor } from "./tokens.js";
import {
  commitBody,
  createBatch,
  md5Base64,
  NO_RATE_LIMITS,
  pngFile,
  servedMd5,
  startTestApi,
  testApiForSuite,
  uploadAll,
} from "./test-api.js";

const api = testApiForSuite({}, { config: { auth: secretAuth, rateLimits: NO_RATE_LIMITS } });
const [alice, bob] = signedInUsers("alice-deletes", "bob-deletes");

/** A committed study of `count` images, as the browser makes one; returns the study and what was sent. */
async function committedStudy(owner: Record<string, string>, title: string, count = 2) {
  const files = Array.from({ length: count }, (_, i) => pngFile(`${title}-${i}.png`, 3000 + i));
  const batch = await createBatch(api, files, owner);
  await uploadAll(batch, files);
  const res = await api.post("/api/studies", commitBody(batch, files, title), owner);
  expect(res.status).toBe(201);
  return { study: studySchema.parse(await res.json()), batch, files };
}

const listIds = async (owner: Record<string, string>) =>
  studyListSchema.parse(await (await api.get("/api/studies?limit=100", owner)).json()).studies.map((s) => s.id);

const status = async (url: string) => (await fetch(url)).status;

describe("DELETE /api/studies/:id", () => {
  it("204: the study leaves the list, reads 404, and every image URL it handed out stops working", async () => {
    const { study } = await committedStudy(alice, "doomed", 3);
    expect(await listIds(alice)).toContain(study.id);
    const urls = study.elements.flatMap((e) => [e.url, e.downloadUrl]);
    for (const url of urls) expect(await status(url)).toBe(200);

    const res = await api.delete(`/api/studies/${study.id}`, alice);
    expect(res.status).toBe(204);
    expect(await listIds(alice)).not.toContain(study.id);
    const read = await api.get(`/api/studies/${study.id}`, alice);
    expect(read.status).toBe(404);
    expect(await read.json()).toMatchObject({ error: { code: "not_found" } });
    for (const url of urls) expect(await status(url)).toBe(404);
    expect(await api.storage.committed.list(`${study.id}/`)).toEqual([]);
  });

  it("a repeat is harmless (204, nothing changes); an unknown or malformed id is a 404", async () => {
    const { study } = await committedStudy(alice, "twice", 1);
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);
    expect((await api.delete(`/api/studies/${"A".repeat(22)}`, alice)).status).toBe(404);
    for (const bad of ["x", "%00", "..", "A".repeat(23)]) {
      const res = await api.delete(`/api/studies/${bad}`, alice);
      expect(res.status, bad).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("only its owner can delete it: another user gets 404 and the study stays whole", async () => {
    const { study, files } = await committedStudy(alice, "guarded", 2);
    expect((await api.delete(`/api/studies/${study.id}`, bob)).status).toBe(404);
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(401);
    const again = studySchema.parse(await (await api.get(`/api/studies/${study.id}`, alice)).json());
    for (const [i, element] of again.elements.entries())
      expect(await servedMd5(element.url)).toBe(md5Base64(files[i]!.bytes));
  });

  it("a repeated commit of its batch does not bring it back", async () => {
    const { study, batch, files } = await committedStudy(alice, "stays-gone", 2);
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);
    // The uploads went with it; a client that sends them again and commits still gets no study.
    const res = await api.post("/api/studies", commitBody(batch, files, "stays-gone"), alice);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: { code: "batch_committed", message: expect.stringMatching(/deleted/) },
    });
    expect((await api.get(`/api/studies/${study.id}`, alice)).status).toBe(404);
    expect(await listIds(alice)).not.toContain(study.id);
    expect((await api.get(`/api/batches/${batch.batchId}`, alice)).status).toBe(404);
  });

  it("the sweep leaves nothing of a deleted study once its batch is past the deadline", async () => {
    const { study, batch } = await committedStudy(alice, "swept-after", 2);
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);
    const counts = await sweepAbandonedBatches(
      { storage: api.storage, logger: createLogger("silent") },
      { stagingTtlHours: 24, now: new Date(Date.now() + 25 * 3600_000) },
    );
    expect(counts.failedBatches).toBe(0);
    expect(await api.storage.images.list(`${batch.batchId}/`)).toEqual([]);
    expect(await api.storage.records.exists("batches", `${batch.batchId}.json`)).toBe(false);
    expect(await api.storage.committed.list(`${study.id}/`)).toEqual([]);
    expect(await listIds(alice)).not.toContain(study.id);
    // Past the deadline no commit can come; the tombstone went too.
    const records = await api.storage.records.list("studies", "");
    expect(records.filter((r) => r.name.includes(study.id))).toEqual([]);
  });

  it("stays unlisted when a repeated commit or the sweep re-lists it from a record read just before the delete", async () => {
    const { study } = await committedStudy(alice, "read-before", 1);
    const name = studyRecordName(ownerKey("alice-deletes"), study.id);
    const readBefore = (await api.storage.records.read("studies", name, studyRecordSchema))!;
    expect((await api.delete(`/api/studies/${study.id}`, alice)).status).toBe(204);
    // What the commit's and the sweep's indexStudy do with the record they read before the tombstone landed.
    await indexStudy(api.storage, readBefore);
    expect(await listIds(alice)).not.toContain(study.id);
    expect((await api.get(`/api/studies/${study.id}`, alice)).status).toBe(404);
  });

  it("a delete racing a repeated commit of the study ends with nothing listed, read or stored", async () => {
    for (let round = 0; round < 6; round++) {
      const { study, batch, files } = await committedStudy(alice, `repeat-race-${round}`, 1);
      const [commit, removal] = await Promise.all([
        api.post("/api/studies", commitBody(batch, files, `repeat-race-${round}`), alice),
        api.delete(`/api/studies/${study.id}`, alice),
      ]);
      expect([200, 409]).toContain(commit.status);
      expect(removal.status).toBe(204);
      expect((await api.get(`/api/studies/${study.id}`, alice)).status).toBe(404);
      expect(await listIds(alice)).not.toContain(study.id);
      expect(await api.storage.committed.list(`${study.id}/`)).toEqual([]);
    }
  });

  it("a delete interrupted after its tombstone is finished by a repeat, or by the sweep", async () => {
    /** What a delete that died right after writing the tombstone leaves: the study listed, its images stored. */
    async function interruptedDelete(title: string) {
      const committed = await committedStudy(alice, title, 2);
      const name = studyRecordName(ownerKey("alice-deletes"), committed.study.id);
      const stored = (await api.storage.records.readStored("studies", name, studyRecordSchema))!;
      const { id, batchId, owner, createdAt } = stored.value;
      const tombstone = { version: 3, deleted: true, id, batchId, owner, createdAt, deletedAt: createdAt };
      expect(await api.storage.records.replace("studies", name, tombstone, stored.etag)).toBe("replaced");
      expect((await api.get(`/api/studies/${id}`, alice)).status).toBe(404);
      expect(await api.storage.committed.list(`${id}/`)).toHaveLength(2);
      return committed;
    }
    const gone = async (studyId: string, batchId: string) => {
      expect(await listIds(alice)).not.toContain(studyId);
      expect(await api.storage.committed.list(`${studyId}/`)).toEqual([]);
      expect(await api.storage.images.list(`${batchId}/`)).toEqual([]);
    };

    const repeated = await interruptedDelete("interrupted-then-repeated");
    expect((await api.delete(`/api/studies/${repeated.study.id}`, alice)).status).toBe(204);
    await gone(repeated.study.id, repeated.batch.batchId);

    const swept = await interruptedDelete("interrupted-then-swept");
    const counts = await sweepAbandonedBatches(
      { storage: api.storage, logger: createLogger("silent") },
      { stagingTtlHours: 24, now: new Date(Date.now() + 25 * 3600_000) },
    );
    expect(counts.failedBatches).toBe(0);
    await gone(swept.study.id, swept.batch.batchId);
  });

  it("a study committed before images were copied (version 1) takes the uploads it shows with it", async () => {
    const files = [pngFile("v1-a.png", 2200), pngFile("v1-b.png", 2300)];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);
    const id = studyIdForBatch(batch.batchId);
    const record: StudyRecord = {
      version: 1,
      id,
      batchId: batch.batchId,
      owner: ownerKey("alice-deletes"),
      title: "Older study",
      description: "",
      createdAt: new Date().toISOString(),
      elements: files.map((f, index) => ({
        index,
        label: "",
        name: f.name,
        size: f.bytes.length,
        type: f.type,
        blobName: `${batch.batchId}/${index}`,
        md5: md5Base64(f.bytes),
      })),
    };
    expect(await api.storage.records.create("studies", studyRecordName(record.owner, id), record)).toBe(true);
    await indexStudy(api.storage, record);
    const study = studySchema.parse(await (await api.get(`/api/studies/${id}`, alice)).json());
    const listed = studyListSchema.parse(await (await api.get("/api/studies?limit=100", alice)).json());
    // Listed without a thumbnail: it has none, and the list never shows a full image instead.
    expect(listed.studies.find((s) => s.id === id)!.thumbnailUrl).toBeNull();
    const urls = study.elements.map((e) => e.url);
    for (const url of urls) expect(await status(url)).toBe(200);

    expect((await api.delete(`/api/studies/${id}`, alice)).status).toBe(204);
    for (const url of urls) expect(await status(url)).toBe(404);
    expect(await listIds(alice)).not.toContain(id);
  });

  it("is rate limited per user (429 with Retry-After)", async () => {
    const limited = await startTestApi({}, { config: { auth: secretAuth, rateLimits: { deletes: 5 } } });
    try {
      const carol = bearer(await tokenFor("carol-deletes"));
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await limited.delete(`/api/studies/${"B".repeat(22)}`, carol)).status);
      expect(answers).toEqual([404, 404, 404, 404, 404, 429]);
      const refused = await limited.delete(`/api/studies/${"B".repeat(22)}`, carol);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
      // Another user's bucket is their own.
      expect((await limited.delete(`/api/studies/${"B".repeat(22)}`, alice)).status).toBe(404);
    } finally {
      await limited.close();
    }
  });

  it("a delete racing a commit of the same batch ends whole either way: a full study, or nothing of it", async () => {
    for (let round = 0; round < 6; round++) {
      const files = [pngFile(`race-${round}-a.png`, 2500), pngFile(`race-${round}-b.png`, 2600)];
      const batch = await createBatch(api, files, alice);
      await uploadAll(batch, files);
      const studyId = studyIdForBatch(batch.batchId);
      const [commit, removal] = await Promise.all([
        api.post("/api/studies", commitBody(batch, files, `race ${round}`), alice),
        api.delete(`/api/studies/${studyId}`, alice),
      ]);
      expect([200, 201, 409]).toContain(commit.status);
      expect([204, 404]).toContain(removal.status);
      const read = await api.get(`/api/studies/${studyId}`, alice);
      if (removal.status === 204) {
        expect(read.status).toBe(404);
        expect(await api.storage.committed.list(`${studyId}/`)).toEqual([]);
        expect(await listIds(alice)).not.toContain(studyId);
      } else {
        // The delete came first and found nothing: the commit's study stands, every image intact.
        expect(read.status).toBe(200);
        const study: Study = studySchema.parse(await read.json());
        for (const [i, element] of study.elements.entries()) {
          expect(await servedMd5(element.url)).toBe(md5Base64(files[i]!.bytes));
        }
      }
    }
  });
});
