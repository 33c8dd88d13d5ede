import { describe, expect, it } from "vitest";
import { sleep, studyListSchema, studySchema } from "@study-uploader/shared";
import {
  commitBody,
  createBatch,
  imageBytes,
  md5Base64,
  pngFile,
  putBlob,
  testApiForSuite,
  uploadAll,
  type LocalFile,
} from "./test-api.js";

const api = testApiForSuite();

/** The listed studies; each thumbnail as the blob it names (its read URL changes from one window to the next). */
async function listStudies() {
  const { studies } = studyListSchema.parse(await (await api.get("/api/studies?limit=100")).json());
  return studies.map((study) => ({ ...study, thumbnailUrl: study.thumbnailUrl?.split("?")[0] ?? null }));
}

describe("POST /api/studies", () => {
  it("commits verified images and serves them back through short-lived read URLs", async () => {
    const files: LocalFile[] = [
      pngFile("first.png", 3000),
      { name: "second.jpg", type: "image/jpeg", bytes: imageBytes("image/jpeg", 5000) },
      { name: "third.webp", type: "image/webp", bytes: imageBytes("image/webp", 700) },
      { name: "fourth.gif", type: "image/gif", bytes: imageBytes("image/gif", 300) },
    ];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const res = await api.post("/api/studies", {
      ...commitBody(batch, files, "  Retina scans  "),
      description: "Left eye",
    });
    expect(res.status).toBe(201);
    const study = studySchema.parse(await res.json());
    expect(study).toMatchObject({ title: "Retina scans", description: "Left eye" });
    expect(study.elements.map((e) => [e.index, e.label, e.name, e.size, e.type])).toEqual([
      [0, "first", "first.png", 3000, "image/png"],
      [1, "second", "second.jpg", 5000, "image/jpeg"],
      [2, "third", "third.webp", 700, "image/webp"],
      [3, "fourth", "fourth.gif", 300, "image/gif"],
    ]);

    const fetched = studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json());
    expect(fetched.id).toBe(study.id);
    for (const element of fetched.elements) {
      const image = await fetch(element.url);
      expect(image.status).toBe(200);
      expect(image.headers.get("content-type")).toBe(element.type);
      expect(md5Base64(new Uint8Array(await image.arrayBuffer()))).toBe(md5Base64(files[element.index]!.bytes));
      const readUrl = new URL(element.url);
      expect(readUrl.searchParams.get("sp")).toBe("r");
      expect(
        (await fetch(element.url, { method: "PUT", body: "x", headers: { "x-ms-blob-type": "BlockBlob" } })).status,
      ).toBe(403);
    }
  });

  it("hands out the same read URLs on every request within a window, so browsers can cache the images", async () => {
    const files = [pngFile("a.png", 2000), pngFile("b.png", 2100)];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files))).json());
    const read = async () => studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json());
    const list = async () => studyListSchema.parse(await (await api.get("/api/studies?limit=100")).json());
    const listed = async () => (await list()).studies.find((s) => s.id === study.id)!.thumbnailUrl;
    const windowOf = (ms: number) => Math.floor(ms / 600_000);
    // Read twice a second apart, within one window of the test API's 600 s (again if a window ended in between).
    for (;;) {
      const startedIn = windowOf(Date.now());
      const [first, firstListed] = [await read(), await listed()];
      await sleep(1100);
      const [second, secondListed] = [await read(), await listed()];
      if (windowOf(Date.now()) !== startedIn) continue;
      expect(second.elements.map((e) => [e.url, e.downloadUrl])).toEqual(
        first.elements.map((e) => [e.url, e.downloadUrl]),
      );
      expect(secondListed).toBe(firstListed);
      break;
    }
    const first = await read();

    const image = await fetch(first.elements[0]!.url);
    const maxAge = Number(/max-age=(\d+)/.exec(image.headers.get("cache-control") ?? "")?.[1]);
    // The test API's window is 600 s and its TTL 300 s: the URL (with its max-age) is the window's, not the request's.
    expect(maxAge).toBe(900);
    expect(image.headers.get("cache-control")).toContain("immutable");
    const expiry = Date.parse(new URL(first.elements[0]!.url).searchParams.get("se")!);
    expect(expiry - Date.now()).toBeGreaterThanOrEqual(299_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it("serves the verified type, whatever Content-Type the uploader sent", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    const spoofed = {
      ...batch.files[0]!,
      headers: { ...batch.files[0]!.headers, "x-ms-blob-content-type": "text/html" },
    };
    expect((await putBlob(spoofed, files[0]!.bytes)).status).toBe(201);
    expect((await putBlob(batch.files[1]!, files[1]!.bytes)).status).toBe(201);
    expect((await api.storage.images.inspect(`${batch.batchId}/0`))?.contentType).toBe("text/html");
    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files))).json());
    const image = await fetch(study.elements[0]!.url);
    expect(image.headers.get("content-type")).toBe("image/png");
    // The copy the study shows keeps storage's MD5 of the bytes.
    expect(image.headers.get("content-md5")).toBe(md5Base64(files[0]!.bytes));
  });

  it("returns the same study for a repeated commit, never a duplicate", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const before = (await listStudies()).length;
    const first = await api.post("/api/studies", commitBody(batch, files));
    expect(first.status).toBe(201);
    const again = await api.post("/api/studies", commitBody(batch, files, "a different title"));
    expect(again.status).toBe(200);
    const [a, b] = [studySchema.parse(await first.json()), studySchema.parse(await again.json())];
    expect(b.id).toBe(a.id);
    expect(b.title).toBe(a.title);
    expect((await listStudies()).length).toBe(before + 1);
  });

  it("yields exactly one study when the same commit arrives 20 times at once", async () => {
    const files = [pngFile("a.png"), pngFile("b.png"), pngFile("c.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const before = (await listStudies()).length;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.post("/api/studies", commitBody(batch, files))),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    const ids = await Promise.all(responses.map(async (r) => studySchema.parse(await r.json()).id));
    expect(new Set(ids).size).toBe(1);
    expect((await listStudies()).length).toBe(before + 1);
  });

  it("lists studies newest first", async () => {
    const make = async (title: string) => {
      const files = [pngFile("x.png")];
      const batch = await createBatch(api, files);
      await uploadAll(batch, files);
      return studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files, title))).json());
    };
    const older = await make("Older");
    await sleep(5);
    const newer = await make("Newer ünïcode");
    const list = await listStudies();
    expect(list[0]).toMatchObject({ id: newer.id, title: "Newer ünïcode", elementCount: 1 });
    expect(list.findIndex((s) => s.id === older.id)).toBeGreaterThan(0);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.createdAt >= list[i]!.createdAt).toBe(true);
  });

  it("refuses a missing blob, a wrong size, a wrong MD5 and HTML declared as PNG, committing nothing", async () => {
    const html = Buffer.from("<!doctype html><script>alert(document.cookie)</script>".padEnd(2048, " "));
    const files: LocalFile[] = [
      pngFile("good.png"),
      pngFile("never-sent.png"),
      pngFile("short.png", 2048),
      pngFile("tampered.png"),
      { name: "photo.png", type: "image/png", bytes: html },
    ];
    const batch = await createBatch(api, files);
    const before = await listStudies();
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    expect((await putBlob(batch.files[2]!, files[2]!.bytes.subarray(0, 1000))).status).toBe(201);
    expect((await putBlob(batch.files[3]!, files[3]!.bytes)).status).toBe(201);
    expect((await putBlob(batch.files[4]!, html)).status).toBe(201);

    const body = commitBody(batch, files);
    body.elements[3]!.md5 = md5Base64(Buffer.from("not what was sent"));
    const res = await api.post("/api/studies", body);
    expect(res.status).toBe(422);
    const error = (
      (await res.json()) as { error: { code: string; message: string; files: { index: number; problem: string }[] } }
    ).error;
    expect(error.code).toBe("verification_failed");
    expect(error.message).toContain("photo.png");
    expect(error.files.map((f) => f.index)).toEqual([1, 2, 3, 4]);
    expect(error.files[0]!.problem).toMatch(/not uploaded/);
    expect(error.files[1]!.problem).toMatch(/size/);
    expect(error.files[2]!.problem).toMatch(/checksum/);
    expect(error.files[3]!.problem).toMatch(/not a PNG/);

    expect(await listStudies()).toEqual(before);
    // The bad blobs are gone (so they can be sent again); the good one stays.
    expect(await api.storage.images.inspect(`${batch.batchId}/4`)).toBeNull();
    expect(await api.storage.images.inspect(`${batch.batchId}/0`)).not.toBeNull();
  });

  it("commits after the refused files are sent again correctly", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await putBlob(batch.files[0]!, files[0]!.bytes);
    await putBlob(batch.files[1]!, pngFile("wrong.png").bytes);
    expect((await api.post("/api/studies", commitBody(batch, files))).status).toBe(422);
    const refreshed = (await (await api.post(`/api/batches/${batch.batchId}/refresh`, {})).json()) as {
      files: { index: number; uploadUrl: string; headers: Record<string, string> }[];
    };
    expect(refreshed.files.map((f) => f.index)).toEqual([1]);
    expect((await putBlob(refreshed.files[0]!, files[1]!.bytes)).status).toBe(201);
    expect((await api.post("/api/studies", commitBody(batch, files))).status).toBe(201);
  });

  it("refuses elements that do not match the batch's files", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const body = commitBody(batch, files);
    const res = await api.post("/api/studies", {
      ...body,
      elements: [body.elements[0], body.elements[0], { ...body.elements[1], index: 5 }],
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: {
        code: "elements_mismatch",
        files: [
          { index: 0, problem: "listed more than once" },
          { index: 5, problem: "no such file in this batch" },
        ],
      },
    });
  });

  it("answers 404 for an unknown batch and an unknown study", async () => {
    const res = await api.post("/api/studies", {
      batchId: "AAAAAAAAAAAAAAAAAAAAAAAA",
      title: "x",
      elements: [{ index: 0, label: "a", md5: md5Base64(Buffer.from("a")) }],
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAA", "nope", "..%2F..%2Fx"]) {
      const study = await api.get(`/api/studies/${id}`);
      expect(study.status).toBe(404);
      expect(await study.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
