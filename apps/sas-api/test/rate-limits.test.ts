import { randomBytes } from "node:crypto";
import { describe, expect, inject, it, vi } from "vitest";
import { apiErrorSchema } from "@study-uploader/shared";
import { BlobStorage } from "../src/storage/blob-storage.js";
import { commitBody, createBatch, pngFile, startTestApi, uploadAll, type TestApi } from "./test-api.js";
import { bearer, secretAuth, tokenFor } from "./tokens.js";

const UNKNOWN_STUDY = "/api/studies/AAAAAAAAAAAAAAAAAAAAAA";

/** A clock that stands still until the test moves it, so each bucket refills only when the test says. */
function steppedClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function expectRateLimited(res: Response) {
  expect(res.status).toBe(429);
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(apiErrorSchema.parse(await res.json()).error.code).toBe("rate_limited");
}

async function withApi(options: Parameters<typeof startTestApi>[1], run: (api: TestApi) => Promise<void>) {
  const api = await startTestApi({}, options);
  try {
    await run(api);
  } finally {
    await api.close();
  }
}

describe("refreshes", () => {
  it("answers 429 with Retry-After once a user has made the default 120 in a row, and counts users apart", async () => {
    const clock = steppedClock();
    await withApi({ config: { auth: secretAuth }, now: clock.now }, async (api) => {
      expect(api.config.rateLimits.refreshes).toBe(120);
      const alice = bearer(await tokenFor("alice"));
      const { batchId } = await createBatch(api, [pngFile("a.png")], alice);
      const refresh = (who: Record<string, string>) => api.post(`/api/batches/${batchId}/refresh`, {}, who);

      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 400; i++) {
        const res = await refresh(alice);
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
        else await res.body?.cancel();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(120);
      expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
      await expectRateLimited(limited!);

      // Bob has a bucket of his own (his refresh of Alice's batch is a 404, not a 429).
      expect((await refresh(bearer(await tokenFor("bob")))).status).toBe(404);
      // Alice's other routes have buckets of their own too.
      expect((await api.get("/api/studies", alice)).status).toBe(200);
      clock.advance(60_000);
      expect((await refresh(alice)).status).toBe(200);
    });
  });

  it("share their bucket with adding and removing files: one budget for changes to existing batches", async () => {
    const clock = steppedClock();
    await withApi({ config: { rateLimits: { refreshes: 4 } }, now: clock.now }, async (api) => {
      const { batchId } = await createBatch(api, [pngFile("a.png"), pngFile("b.png")]);
      const add = () =>
        api.post(`/api/batches/${batchId}/files`, { files: [{ name: "c.png", size: 9, type: "image/png" }] });
      const remove = (index: number) => api.delete(`/api/batches/${batchId}/files/${index}`);
      expect((await add()).status).toBe(201);
      expect((await remove(0)).status).toBe(204);
      expect((await api.post(`/api/batches/${batchId}/refresh`, {})).status).toBe(200);
      expect((await remove(1)).status).toBe(204);
      await expectRateLimited(await add());
      await expectRateLimited(await remove(2));
      clock.advance(15_000);
      expect((await remove(2)).status).toBe(204);
    });
  });

  it("share it with reading a batch's status and discarding it", async () => {
    const clock = steppedClock();
    await withApi({ config: { rateLimits: { refreshes: 3 } }, now: clock.now }, async (api) => {
      const { batchId } = await createBatch(api, [pngFile("a.png")]);
      expect((await api.get(`/api/batches/${batchId}`)).status).toBe(200);
      expect((await api.post(`/api/batches/${batchId}/refresh`, {})).status).toBe(200);
      expect((await api.get(`/api/batches/${batchId}`)).status).toBe(200);
      await expectRateLimited(await api.delete(`/api/batches/${batchId}`));
      await expectRateLimited(await api.get(`/api/batches/${batchId}`));
      clock.advance(20_000);
      expect((await api.delete(`/api/batches/${batchId}`)).status).toBe(204);
    });
  });
});

describe("reads and health", () => {
  it("limit GET /api/studies and /api/studies/:id together, per user", async () => {
    const clock = steppedClock();
    await withApi({ config: { auth: secretAuth, rateLimits: { reads: 3 } }, now: clock.now }, async (api) => {
      const carol = bearer(await tokenFor("carol"));
      expect((await api.get("/api/studies", carol)).status).toBe(200);
      expect((await api.get(UNKNOWN_STUDY, carol)).status).toBe(404);
      expect((await api.get("/api/studies", carol)).status).toBe(200);
      await expectRateLimited(await api.get(UNKNOWN_STUDY, carol));
      await expectRateLimited(await api.get("/api/studies", carol));
      expect((await api.get("/api/studies", bearer(await tokenFor("dan")))).status).toBe(200);
      clock.advance(20_000);
      expect((await api.get("/api/studies", carol)).status).toBe(200);
    });
  });

  it("limit health per client address, apart from every other bucket", async () => {
    const clock = steppedClock();
    await withApi(
      { config: { auth: secretAuth, rateLimits: { health: 2, reads: 1 } }, now: clock.now },
      async (api) => {
        const erin = bearer(await tokenFor("erin"));
        expect((await api.get("/api/studies", erin)).status).toBe(200);
        await expectRateLimited(await api.get("/api/studies", erin));
        expect((await api.get("/api/health")).status).toBe(200);
        expect((await api.get("/api/health", erin)).status).toBe(200);
        await expectRateLimited(await api.get("/api/health"));
        // Config costs no storage call and has no limit.
        expect((await api.get("/api/config")).status).toBe(200);
      },
    );
  });

  it("limit reads per client address when the API runs open", async () => {
    await withApi({ config: { rateLimits: { reads: 1 } }, now: steppedClock().now }, async (api) => {
      expect((await api.get("/api/studies")).status).toBe(200);
      await expectRateLimited(await api.get(UNKNOWN_STUDY));
    });
  });
});

describe("health probes", () => {
  it("cost at most one storage ping a second between them, however many arrive", async () => {
    const storage = new BlobStorage({
      connectionString: inject("azuriteConnectionString"),
      containerPrefix: `h${randomBytes(4).toString("hex")}-`,
    });
    const ping = vi.spyOn(storage.account, "ping");
    const clock = steppedClock();
    await withApi({ storage, now: clock.now }, async (api) => {
      ping.mockClear();
      const statuses = await Promise.all(Array.from({ length: 30 }, async () => (await api.get("/api/health")).status));
      for (let i = 0; i < 10; i++) statuses.push((await api.get("/api/health")).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(ping).toHaveBeenCalledTimes(1);

      clock.advance(999);
      expect((await api.get("/api/health")).status).toBe(200);
      expect(ping).toHaveBeenCalledTimes(1);
      clock.advance(1);
      expect((await api.get("/api/health")).status).toBe(200);
      expect(ping).toHaveBeenCalledTimes(2);
    });
  });
});

describe("the documented defaults", () => {
  it("do not throttle a busy researcher's session", async () => {
    await withApi({ config: { auth: secretAuth } }, async (api) => {
      const frank = bearer(await tokenFor("frank"));
      const statuses: number[] = [];
      const record = async (res: Promise<Response>) => {
        const response = await res;
        statuses.push(response.status);
        return response;
      };
      // A load balancer's probes meanwhile, and the page opening.
      for (let i = 0; i < 20; i++) await record(api.get("/api/health"));
      await record(api.get("/api/config", frank));
      await record(api.get("/api/studies", frank));
      for (let study = 0; study < 5; study++) {
        const files = [pngFile("a.png"), pngFile("b.png")];
        const batch = await createBatch(api, files, frank);
        // Links expiring mid-upload on a slow connection, a few times over.
        for (let i = 0; i < 8; i++) await record(api.post(`/api/batches/${batch.batchId}/refresh`, {}, frank));
        await uploadAll(batch, files);
        const committed = await record(api.post("/api/studies", commitBody(batch, files), frank));
        const { id } = (await committed.json()) as { id: string };
        // Back and forth between the list and the study, several times.
        for (let i = 0; i < 10; i++) {
          await record(api.get("/api/studies", frank));
          await record(api.get(`/api/studies/${id}`, frank));
        }
      }
      expect(statuses).not.toContain(429);
      expect(statuses).toHaveLength(20 + 2 + 5 * (8 + 1 + 2 * 10));
    });
  });
});
