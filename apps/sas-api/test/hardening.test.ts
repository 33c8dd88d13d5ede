import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiErrorSchema } from "@study-uploader/shared";
import { BlobStorage } from "../src/storage/blob-storage.js";
import { fileSpec, pngFile, startTestApi, testApiForSuite, type TestApi } from "./test-api.js";
import { bearer, secretAuth, tokenFor } from "./tokens.js";

const oneFile = { files: [fileSpec(pngFile("a.png"))] };

describe("rate limits", () => {
  const api = testApiForSuite({}, { config: { auth: secretAuth, rateLimits: { batches: 3, commits: 2 } } });

  it("answers 429 with Retry-After once a user has used up the batch limit, and counts users apart", async () => {
    const dora = bearer(await tokenFor("dora"));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.post("/api/batches", oneFile, dora)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await api.post("/api/batches", oneFile, dora);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(20);
    expect(apiErrorSchema.parse(await limited.json()).error.code).toBe("rate_limited");

    expect((await api.post("/api/batches", oneFile, bearer(await tokenFor("eve")))).status).toBe(201);
  });

  it("limits commits separately", async () => {
    const frank = bearer(await tokenFor("frank"));
    const commit = () =>
      api.post("/api/studies", { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", title: "t", elements: [] }, frank);
    expect([(await commit()).status, (await commit()).status, (await commit()).status]).toEqual([400, 400, 429]);
    expect((await api.post("/api/batches", oneFile, frank)).status).toBe(201);
  });

  it("limits by client address when the API runs open", async () => {
    const open = await startTestApi({}, { config: { rateLimits: { batches: 1, commits: 0 } } });
    try {
      expect((await open.post("/api/batches", oneFile)).status).toBe(201);
      expect((await open.post("/api/batches", oneFile)).status).toBe(429);
    } finally {
      await open.close();
    }
  });
});

describe("MAX_BATCH_BYTES", () => {
  it("refuses a batch whose files add up to more, in the error shape", async () => {
    const api = await startTestApi({ maxFileBytes: 1000 }, { config: { maxBatchBytes: 2500 } });
    try {
      const file = { name: "a.png", size: 1000, type: "image/png" };
      expect((await api.post("/api/batches", { files: [file, file] })).status).toBe(201);
      const res = await api.post("/api/batches", { files: [file, file, file] });
      expect(res.status).toBe(413);
      expect(apiErrorSchema.parse(await res.json()).error).toMatchObject({
        code: "payload_too_large",
        message: /2500/,
      });
      expect(await (await api.get("/api/config")).json()).toMatchObject({ maxBatchBytes: 2500 });
    } finally {
      await api.close();
    }
  });
});

describe("browser protections", () => {
  let api: TestApi;
  let webDist: string;
  beforeAll(async () => {
    webDist = mkdtempSync(path.join(tmpdir(), "web-dist-"));
    writeFileSync(
      path.join(webDist, "index.html"),
      '<!doctype html><script type="module" src="/assets/app.js"></script>',
    );
    api = await startTestApi({}, { config: { webDistDir: webDist, corsOrigins: ["https://app.example"] } });
  });
  afterAll(async () => {
    await api.close();
    rmSync(webDist, { recursive: true, force: true });
  });

  it("lets only the configured origins call the API from a browser", async () => {
    const preflight = (origin: string) =>
      fetch(`${api.baseUrl}/api/batches`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization",
        },
      });
    const allowed = await preflight("https://app.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    // Removing a file from a batch is a DELETE.
    expect(allowed.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    const simple = await api.get("/api/config", { origin: "https://evil.example" });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each(["/api/health", "/api/nope", "/", "/studies/some-client-route"])(
    "sends the security headers on %s",
    async (route) => {
      const res = await api.get(route);
      const storageOrigin = String(api.storage.sas.publicOrigin);
      expect(storageOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain(`connect-src 'self' ${storageOrigin}`);
      expect(csp).toContain(`img-src 'self' blob: data: ${storageOrigin}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    },
  );

  it.each(["/storage", "/storage/devstoreaccount1/t-studies/anonymous/x.json?sig=x", "/storage/"])(
    "answers 404 on %s, a storage path no front door forwarded, never the web app",
    async (route) => {
      const res = await api.get(route);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    },
  );

  it("names the public blob endpoint's origin when one is set", () => {
    const storage = new BlobStorage({
      connectionString: inject("azuriteConnectionString"),
      containerPrefix: "pub-",
      publicBlobEndpoint: "https://cdn.example/devstoreaccount1",
    });
    expect(storage.sas.publicOrigin).toBe("https://cdn.example");
  });
});
