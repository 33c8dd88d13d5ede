import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorSchema, studyListSchema, studySchema, type StudySummary } from "@study-uploader/shared";
import { backfillStudyIndex } from "../src/domain/study-index.js";
import { startFaultProxy, type FaultProxy } from "../scripts/soak/fault-proxy.js";
import {
  azuriteBlobEndpoint,
  azuriteVia,
  commitBody,
  createBatch,
  pngFile,
  startTestApi,
  uploadAll,
  uploadThumbnails,
  type TestApi,
} from "./test-api.js";

let proxy: FaultProxy;
let api: TestApi;
beforeAll(async () => {
  // Storage reached through a pass-through proxy that counts requests: the cost of a page, measured.
  proxy = await startFaultProxy({ upstream: azuriteBlobEndpoint(), pickFault: () => null });
  api = await startTestApi({}, { connectionString: azuriteVia(proxy.url) });
});
afterAll(async () => {
  await api.close();
  await proxy.close();
});

async function commitStudies(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const files = [pngFile(`s${i}.png`, 600)];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    await uploadThumbnails(batch);
    const res = await api.post("/api/studies", commitBody(batch, files, `Study ${i}`));
    ids.push(studySchema.parse(await res.json()).id);
  }
  return ids;
}

async function page(query: string) {
  const res = await api.get(`/api/studies${query}`);
  expect(res.status).toBe(200);
  return studyListSchema.parse(await res.json());
}

async function everyPage(limit: number): Promise<StudySummary[][]> {
  const pages: StudySummary[][] = [];
  let cursor: string | null = null;
  do {
    const next = await page(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    pages.push(next.studies);
    cursor = next.nextCursor;
  } while (cursor);
  return pages;
}

/** Storage requests the API makes while `act` runs. */
async function storageRequestsDuring(act: () => Promise<unknown>): Promise<number> {
  const before = proxy.counts.passed;
  await act();
  return proxy.counts.passed - before;
}

describe("GET /api/studies", () => {
  it("pages newest first with no repeats, and a new study does not shift later pages", async () => {
    const ids = await commitStudies(7);
    const first = await page("?limit=3");
    expect(first.studies.map((s) => s.id)).toEqual(ids.slice(-3).reverse());
    expect(first.nextCursor).not.toBeNull();

    // A study committed between pages lands before the first page, not in the next one.
    const [late] = await commitStudies(1);
    const rest: StudySummary[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await page(`?limit=3&cursor=${cursor}`);
      rest.push(...next.studies);
      cursor = next.nextCursor;
    }
    const seen = [...first.studies, ...rest].map((s) => s.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(late);
    expect(seen.slice(0, 7)).toEqual(ids.reverse());
    const times = [...first.studies, ...rest].map((s) => s.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const all = (await everyPage(100)).flat();
    expect(all[0]!.id).toBe(late);
    expect(all[0]).toMatchObject({ title: "Study 0", elementCount: 1 });
  });

  it("answers a page with one storage request, however many studies there are", async () => {
    await commitStudies(2);
    const few = await storageRequestsDuring(() => page("?limit=2"));
    await commitStudies(12);
    const many = await storageRequestsDuring(() => page("?limit=2"));
    const deep = await storageRequestsDuring(async () => {
      const pages = await everyPage(5);
      expect(pages.length).toBeGreaterThan(3);
    });
    expect(few).toBe(1);
    expect(many).toBe(1);
    // That one request includes each study's thumbnail URL, signed in-process.
    const listed = await page("?limit=2");
    expect(listed.studies.map((s) => typeof s.thumbnailUrl)).toEqual(["string", "string"]);
    const pages = (await everyPage(5)).length;
    expect(deep).toBe(pages);
  });

  it.each([
    "?limit=0",
    "?limit=101",
    "?limit=abc",
    "?limit=1.5",
    "?limit=-1",
    "?limit=",
    "?limit=1&limit=2",
    "?cursor=%%%",
    "?cursor=not+base64!",
    "?other=1",
  ])("refuses %s with 400", async (query) => {
    const res = await api.get(`/api/studies${query}`);
    expect(res.status).toBe(400);
    expect(apiErrorSchema.parse(await res.json()).error.code).toBe("invalid_request");
  });

  it("refuses a cursor that no storage marker could be with 400, and never answers 500 for a made-up one", async () => {
    const control = Buffer.from("\u0001garbage").toString("base64url");
    expect((await api.get(`/api/studies?cursor=${control}`)).status).toBe(400);
    // Printable but invented: Azurite reads it as a name to start after, Azure refuses it; either way no 5xx.
    const invented = Buffer.from("2!96!invented-marker").toString("base64url");
    expect([200, 400]).toContain((await api.get(`/api/studies?cursor=${invented}`)).status);
  });

  it("defaults to 50 a page", async () => {
    const total = (await everyPage(100)).flat().length;
    const first = await page("");
    expect(first.studies).toHaveLength(Math.min(50, total));
  });

  it("enters studies committed before the index existed, once", async () => {
    const legacyStudyId = "LegacyStudyAAAAAAAAAAA";
    await api.storage.records.create(
      "studies",
      `anonymous/${legacyStudyId}.json`,
      { version: 1 },
      { createdat: "2020-01-01T00:00:00.000Z", title: encodeURIComponent("Older study"), elementcount: "3" },
    );
    expect(await backfillStudyIndex(api.storage, new Date())).toBeGreaterThan(0);
    const all = (await everyPage(100)).flat();
    // Its entry carries no first image: no thumbnail, rather than a storage call per entry to find one.
    expect(all.at(-1)).toMatchObject({ id: legacyStudyId, title: "Older study", elementCount: 3, thumbnailUrl: null });
    expect(await backfillStudyIndex(api.storage, new Date())).toBe(0);
  });
});
