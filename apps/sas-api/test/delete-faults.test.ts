import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { studyListSchema, studySchema, type StudySummary } from "@study-uploader/shared";
import { startFaultProxy, type FaultProxy } from "../scripts/soak/fault-proxy.js";
import { ownerKey } from "../src/domain/ids.js";
import { pendingDeleteName, studyRecordName } from "../src/domain/records.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import { BlobStorage } from "../src/storage/blob-storage.js";
import {
  NO_RATE_LIMITS,
  azuriteBlobEndpoint,
  azuriteVia,
  commitBody,
  createBatch,
  pngFile,
  startTestApi,
  uploadAll,
  type TestApi,
} from "./test-api.js";

/** Which storage requests of the API's fail with 503 right now: none, or those this picks. */
let failing: ((request: { method: string; path: string }) => boolean) | null = null;
let proxy: FaultProxy;
let api: TestApi;
/** The same containers, reached directly: what storage really holds, whatever the proxy does. */
let direct: BlobStorage;

beforeAll(async () => {
  proxy = await startFaultProxy({
    upstream: azuriteBlobEndpoint(),
    pickFault: (request) => (failing?.(request) ? "503" : null),
  });
  const containerPrefix = `df${randomBytes(3).toString("hex")}-`;
  api = await startTestApi(
    {},
    { connectionString: azuriteVia(proxy.url), containerPrefix, config: { rateLimits: NO_RATE_LIMITS } },
  );
  direct = new BlobStorage({ connectionString: inject("azuriteConnectionString"), containerPrefix });
});
afterAll(async () => {
  await api.close();
  await proxy.close();
});
beforeEach(() => {
  failing = null;
});

const DAY_AND_A_HALF_LATER = () => new Date(Date.now() + 36 * 3600_000);
const sweep = (now: Date) =>
  sweepAbandonedBatches({ storage: api.storage, logger: createLogger("silent") }, { stagingTtlHours: 24, now });

/** Storage answers 503 to every DELETE in one of the API's containers. */
const deletesFailIn = (container: "index" | "committed") => (request: { method: string; path: string }) =>
  request.method === "DELETE" && request.path.includes(`/${api.containerPrefix}${container}/`);

async function committedStudy(title: string) {
  const files = [pngFile(`${title}-0.png`, 3100), pngFile(`${title}-1.png`, 3200)];
  const batch = await createBatch(api, files);
  await uploadAll(batch, files);
  const res = await api.post("/api/studies", commitBody(batch, files, title));
  expect(res.status).toBe(201);
  const study = studySchema.parse(await res.json());
  return { study, batch, urls: study.elements.flatMap((e) => [e.url, e.downloadUrl]) };
}

async function listed(studyId: string): Promise<StudySummary | undefined> {
  const list = studyListSchema.parse(await (await api.get("/api/studies?limit=100")).json());
  return list.studies.find((s) => s.id === studyId);
}

const statuses = (urls: string[]) => Promise.all(urls.map(async (url) => (await fetch(url)).status));

/** Nothing of the study is stored, listed or readable, and no mark of its delete is left. */
async function expectNothingLeft(studyId: string, batchId: string, urls: string[]) {
  expect(await listed(studyId)).toBeUndefined();
  expect((await api.get(`/api/studies/${studyId}`)).status).toBe(404);
  expect(new Set(await statuses(urls))).toEqual(new Set([404]));
  expect(await direct.committed.list(`${studyId}/`)).toEqual([]);
  expect(await direct.images.list(`${batchId}/`)).toEqual([]);
  expect(await direct.records.exists("studies", pendingDeleteName(ownerKey(null), studyId))).toBe(false);
}

describe("a delete that storage interrupts", () => {
  it("after its batch was swept, at the list entry: listed as pending (images gone), then finished by the sweep", async () => {
    const { study, batch, urls } = await committedStudy("swept-then-interrupted");
    // The batch is closed first, as it is a day after it began: its plan is gone, the study keeps its copies.
    expect(await sweep(DAY_AND_A_HALF_LATER())).toMatchObject({ closedCommitted: 1, failedBatches: 0 });
    expect(await direct.records.exists("batches", `${batch.batchId}.json`)).toBe(false);

    failing = deletesFailIn("index");
    const res = await api.delete(`/api/studies/${study.id}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "storage_unavailable" } });
    expect((await api.get(`/api/studies/${study.id}`)).status).toBe(404);
    expect(await listed(study.id)).toMatchObject({ deletionPending: true, thumbnailUrl: null });
    expect(new Set(await statuses(urls))).toEqual(new Set([404]));

    // A sweep while storage still fails reports it and keeps the mark; the next one finishes it.
    expect(await sweep(DAY_AND_A_HALF_LATER())).toMatchObject({ examined: 0, failedDeletes: 1 });
    expect(await direct.records.exists("studies", pendingDeleteName(ownerKey(null), study.id))).toBe(true);
    failing = null;
    expect(await sweep(DAY_AND_A_HALF_LATER())).toMatchObject({ examined: 0, finishedDeletes: 1, failedDeletes: 0 });
    await expectNothingLeft(study.id, batch.batchId, urls);
    // No commit can come once the plan is gone, so not even the tombstone stays.
    expect(await direct.records.exists("studies", studyRecordName(ownerKey(null), study.id))).toBe(false);
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(404);
  });

  it("at the images: listed as pending, not read; deleting it again (as the web app offers) finishes it", async () => {
    const { study, batch, urls } = await committedStudy("images-interrupted");
    failing = deletesFailIn("committed");
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(503);
    expect((await api.get(`/api/studies/${study.id}`)).status).toBe(404);
    expect(await listed(study.id)).toMatchObject({ deletionPending: true, thumbnailUrl: null });
    expect(await direct.committed.list(`${study.id}/`)).toHaveLength(2);

    failing = null;
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(204);
    await expectNothingLeft(study.id, batch.batchId, urls);
    // Within the staging window the tombstone stays, so a repeated commit cannot bring the study back.
    expect(await direct.records.exists("studies", studyRecordName(ownerKey(null), study.id))).toBe(true);
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(204);
  });

  it("before its tombstone: the sweep finishes what its owner asked for", async () => {
    const { study, batch, urls } = await committedStudy("tombstone-interrupted");
    const recordName = `/${api.containerPrefix}studies/${studyRecordName(ownerKey(null), study.id)}`;
    failing = (request) => request.method === "PUT" && request.path.endsWith(encodeURI(recordName));
    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(503);
    // The record is whole, the list says the delete is pending.
    expect((await api.get(`/api/studies/${study.id}`)).status).toBe(200);
    expect(await listed(study.id)).toMatchObject({ deletionPending: true });

    failing = null;
    expect(await sweep(new Date())).toMatchObject({ finishedDeletes: 1, failedDeletes: 0 });
    await expectNothingLeft(study.id, batch.batchId, urls);
  });
});
