import { describe, expect, it } from "vitest";
import { BATCH_ID_PATTERN, createBatchResponseSchema, refreshBatchResponseSchema } from "@study-uploader/shared";
import { BlobStorage } from "../src/storage/blob-storage.js";
import { createLogger } from "../src/logger.js";
import { createApp } from "../src/app.js";
import {
  azuriteVia,
  commitBody,
  createBatch,
  pngFile,
  putBlob,
  startTestApi,
  testApiForSuite,
  uploadAll,
} from "./test-api.js";

const api = testApiForSuite();

describe("GET /api/config and /api/health", () => {
  it("publishes the default limits", async () => {
    const res = await api.get("/api/config");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      maxFileBytes: 16 * 1024 * 1024,
      maxFiles: 50,
      allowedTypes: ["image/png", "image/jpeg", "image/webp", "image/gif"],
      concurrency: 6,
      http2Concurrency: 16,
      sasTtlSeconds: 600,
      maxBatchBytes: 1024 * 1024 * 1024,
      authRequired: false,
      stagingTtlSeconds: 24 * 3600,
    });
  });

  it("publishes overridden limits", async () => {
    const custom = await startTestApi({ maxFiles: 3, concurrency: 2, sasTtlSeconds: 30, maxFileBytes: 1000 });
    try {
      expect(await (await custom.get("/api/config")).json()).toMatchObject({
        maxFiles: 3,
        concurrency: 2,
        sasTtlSeconds: 30,
        maxFileBytes: 1000,
      });
    } finally {
      await custom.close();
    }
  });

  it("is healthy while storage answers", async () => {
    const res = await api.get("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers 503 in the error shape when storage does not", async () => {
    const storage = new BlobStorage({
      connectionString: azuriteVia("http://127.0.0.1:9/devstoreaccount1"),
      containerPrefix: "down-",
    });
    const app = createApp({ storage, config: api.config, logger: createLogger("silent") });
    const health = await app.request("/api/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { code: "storage_unavailable" } });
    const batch = await app.request("/api/batches", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ files: [{ name: "a.png", size: 10, type: "image/png" }] }),
    });
    expect(batch.status).toBe(503);
    expect(await batch.json()).toMatchObject({ error: { code: "storage_unavailable" } });
  });
});

describe("POST /api/batches", () => {
  it("issues one create-only, blob-scoped, short-lived URL per file under server-chosen names", async () => {
    const before = Date.now();
    const res = await api.post("/api/batches", {
      files: [
        { name: "../../etc/passwd.png".replace(/\//g, "_"), size: 10, type: "image/png" },
        { name: "scan 2.jpg", size: 20, type: "image/jpeg" },
      ],
    });
    expect(res.status).toBe(201);
    const batch = createBatchResponseSchema.parse(await res.json());
    expect(batch.batchId).toMatch(BATCH_ID_PATTERN);
    const expiresAt = Date.parse(batch.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(599_000);
    expect(expiresAt - before).toBeLessThanOrEqual(601_000 + (Date.now() - before));
    expect(batch.files.map((f) => f.index)).toEqual([0, 1]);
    for (const file of batch.files) {
      const url = new URL(file.uploadUrl);
      expect(url.pathname).toBe(`/devstoreaccount1/${api.containerPrefix}images/${batch.batchId}/${file.index}`);
      expect(url.searchParams.get("sp")).toBe("c");
      expect(url.searchParams.get("sr")).toBe("b");
      expect(Date.parse(url.searchParams.get("st")!)).toBeLessThan(before - 10 * 60_000);
      expect(file.headers["x-ms-blob-type"]).toBe("BlockBlob");
    }
    expect(batch.files[1]!.headers["x-ms-blob-content-type"]).toBe("image/jpeg");
  });

  it("gives every batch a different id", async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, async () => (await createBatch(api, [pngFile("a.png")])).batchId),
    );
    expect(new Set(ids).size).toBe(5);
  });

  it("keeps the plan in storage, so another API instance can commit the batch", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const other = await startTestApi({}, { containerPrefix: api.containerPrefix });
    try {
      const res = await other.post("/api/studies", commitBody(batch, files));
      expect(res.status).toBe(201);
    } finally {
      await other.close();
    }
  });
});

describe("POST /api/batches/:id/refresh", () => {
  it("renews only the files that have not arrived when no indexes are given", async () => {
    const files = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const batch = await createBatch(api, files);
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);
    const res = await api.post(`/api/batches/${batch.batchId}/refresh`, {});
    expect(res.status).toBe(200);
    const refreshed = refreshBatchResponseSchema.parse(await res.json());
    expect(refreshed.files.map((f) => f.index)).toEqual([0, 2]);
    expect((await putBlob(refreshed.files[0]!, files[0]!.bytes)).status).toBe(201);
  });

  it("renews the requested indexes and refuses ones the batch does not have", async () => {
    const batch = await createBatch(api, [pngFile("a.png"), pngFile("b.png")]);
    const ok = await api.post(`/api/batches/${batch.batchId}/refresh`, { indexes: [1, 1] });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { files: { index: number }[] }).files.map((f) => f.index)).toEqual([1]);
    const bad = await api.post(`/api/batches/${batch.batchId}/refresh`, { indexes: [0, 7] });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { files: [{ index: 7 }] } });
  });

  it("answers 404 for unknown and malformed batch ids", async () => {
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAAAA", "not-an-id", "..%2F..%2Fsecret"]) {
      const res = await api.post(`/api/batches/${id}/refresh`, {});
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("answers 409 once the batch is a study", async () => {
    const files = [pngFile("a.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    expect((await api.post("/api/studies", commitBody(batch, files))).status).toBe(201);
    const res = await api.post(`/api/batches/${batch.batchId}/refresh`, {});
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "batch_committed" } });
  });
});
