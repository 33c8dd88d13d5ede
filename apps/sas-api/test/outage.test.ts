import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorSchema, studyListSchema, studySchema } from "@study-uploader/shared";
import { startAzurite, type RunningAzurite } from "../src/azurite.js";
import { commitBody, createBatch, freePort, pngFile, putBlob, startTestApi, type TestApi } from "./test-api.js";

let location: string;
let port: number;
let azurite: RunningAzurite;
let api: TestApi;

beforeAll(async () => {
  location = mkdtempSync(path.join(tmpdir(), "azurite-outage-"));
  port = await freePort();
  azurite = await startAzurite({ port, location });
  api = await startTestApi({}, { connectionString: azurite.connectionString });
});
afterAll(async () => {
  await api?.close();
  await azurite?.stop();
  rmSync(location, { recursive: true, force: true });
});

describe("when storage goes away in the middle of a batch", () => {
  it("fails cleanly with 503, commits nothing, and completes exactly once after storage is back", async () => {
    const files = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const batch = await createBatch(api, files);
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);

    await azurite.stop();

    const commit = await api.post("/api/studies", commitBody(batch, files));
    expect(commit.status).toBe(503);
    expect(apiErrorSchema.parse(await commit.json()).error.code).toBe("storage_unavailable");
    const health = await api.get("/api/health");
    expect(health.status).toBe(503);
    expect(apiErrorSchema.parse(await health.json()).error.code).toBe("storage_unavailable");
    for (const res of [await api.post(`/api/batches/${batch.batchId}/refresh`, {}), await api.get("/api/studies")]) {
      expect(res.status).toBe(503);
    }

    azurite = await startAzurite({ port, location });

    // Health shares one ping's outcome for a second, so it may tell of the outage a moment longer.
    await expect.poll(async () => (await api.get("/api/health")).status, { timeout: 10_000 }).toBe(200);
    expect(studyListSchema.parse(await (await api.get("/api/studies")).json()).studies).toEqual([]);
    // The batch survived: the file that never arrived gets a fresh URL and the retry commits.
    const refreshed = (await (await api.post(`/api/batches/${batch.batchId}/refresh`, {})).json()) as typeof batch;
    expect(refreshed.files.map((f) => f.index)).toEqual([2]);
    expect((await putBlob(refreshed.files[0]!, files[2]!.bytes)).status).toBe(201);

    const retries = await Promise.all([1, 2, 3].map(() => api.post("/api/studies", commitBody(batch, files))));
    expect(retries.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const ids = new Set(await Promise.all(retries.map(async (r) => studySchema.parse(await r.json()).id)));
    expect(ids.size).toBe(1);
    expect(studyListSchema.parse(await (await api.get("/api/studies")).json()).studies).toHaveLength(1);
  });
});
