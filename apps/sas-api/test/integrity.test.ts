import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { apiErrorSchema, studySchema, type ImageType, type Study } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import {
  commitBody,
  createBatch,
  md5Base64,
  NO_RATE_LIMITS,
  pngFile,
  putBlob,
  testApiForSuite,
  uploadAll,
  type LocalFile,
} from "./test-api.js";

// Hundreds of batches and commits in a minute: rate limits are proven elsewhere.
const api = testApiForSuite({}, { config: { rateLimits: NO_RATE_LIMITS } });
const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));

/** The blob a read URL names, seen with the account's own key (what storage really holds). */
function storedBlob(readUrl: string) {
  const [, , container, ...blob] = new URL(readUrl).pathname.split("/");
  return service.getContainerClient(container!).getBlobClient(blob.join("/"));
}

/** Every element of the study, read back through its URL, has exactly the bytes of its file. */
async function expectIntact(study: Study, files: LocalFile[]) {
  for (const element of study.elements) {
    const image = await fetch(element.url);
    expect(image.status).toBe(200);
    expect(md5Base64(new Uint8Array(await image.arrayBuffer()))).toBe(md5Base64(files[element.index]!.bytes));
  }
}

const wrongMd5 = md5Base64(Buffer.from("not these bytes"));

describe("a committed study's images", () => {
  it("survive good and bad commits fired together at the same batch, 100 times", async () => {
    const studies: { study: Study; files: LocalFile[]; uploadUrls: string[] }[] = [];
    const statuses = new Map<number, number>();
    for (let round = 0; round < 100; round++) {
      const files = [pngFile(`a${round}.png`, 1500), pngFile(`b${round}.png`, 1500)];
      const batch = await createBatch(api, files);
      await uploadAll(batch, files);
      const good = commitBody(batch, files);
      const bad = commitBody(batch, files);
      bad.elements[round % 2]!.md5 = wrongMd5;
      // Bad first in odd rounds, so either may reach storage first.
      const bodies = round % 2 ? [bad, good, bad] : [good, bad, good];
      const responses = await Promise.all(bodies.map((body) => api.post("/api/studies", body)));
      for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const committed = responses.find((r) => r.status === 201 || r.status === 200);
      if (!committed) continue;
      studies.push({
        study: studySchema.parse(await committed.json()),
        files,
        uploadUrls: batch.files.map((f) => f.uploadUrl),
      });
    }
    // Every status is an answer the contract allows: the study, a refused file, or "a commit is running".
    expect([...statuses.keys()].every((s) => [200, 201, 409, 422].includes(s))).toBe(true);
    expect(studies.length).toBeGreaterThan(0);

    for (const { study, files, uploadUrls } of studies) {
      // Whatever the still-valid upload URLs do afterwards cannot reach the committed copies.
      for (const [index, uploadUrl] of uploadUrls.entries()) {
        expect((await fetch(uploadUrl, { method: "DELETE" })).status).toBe(403);
        await putBlob({ uploadUrl, headers: { "x-ms-blob-type": "BlockBlob" } }, Buffer.from(`<html>${index}`));
      }
      const again = studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json());
      expect(again.elements.map((e) => [e.index, e.size])).toEqual(study.elements.map((e) => [e.index, e.size]));
      await expectIntact(again, files);
    }
  }, 180_000);

  it("live where no upload URL can write, and a refused commit never removes them", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files))).json());

    const bad = commitBody(batch, files);
    bad.elements[0]!.md5 = wrongMd5;
    // The batch is committed: a later commit answers with the study and changes nothing.
    expect((await api.post("/api/studies", bad)).status).toBe(200);

    const uploadPath = new URL(batch.files[0]!.uploadUrl).pathname;
    for (const element of study.elements) {
      expect(new URL(element.url).pathname.split("/")[2]).not.toBe(uploadPath.split("/")[2]);
    }
    // Removing the upload itself (as the sweep will) leaves the study whole.
    await api.storage.images.deleteAll(`${batch.batchId}/`);
    await expectIntact(study, files);
  });

  it("carry only headers the server set, and read URLs ask for private caching", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    const withExtras = {
      ...batch.files[0]!,
      headers: {
        ...batch.files[0]!.headers,
        "x-ms-blob-cache-control": "public, max-age=31536000",
        "x-ms-blob-content-encoding": "gzip",
        "x-ms-blob-content-disposition": "attachment; filename=evil.html",
        "x-ms-meta-owner": "someone-else",
      },
    };
    expect((await putBlob(withExtras, files[0]!.bytes)).status).toBe(201);
    const spoofedType = {
      ...batch.files[1]!,
      headers: { ...batch.files[1]!.headers, "x-ms-blob-content-type": "text/html", "x-ms-meta-x": "1" },
    };
    expect((await putBlob(spoofedType, files[1]!.bytes)).status).toBe(201);

    const study = studySchema.parse(await (await api.post("/api/studies", commitBody(batch, files))).json());
    for (const element of study.elements) {
      const props = await storedBlob(element.url).getProperties();
      expect(props.contentType).toBe("image/png");
      expect(props.cacheControl ?? "").toBe("");
      expect(props.contentEncoding ?? "").toBe("");
      expect(props.contentDisposition ?? "").toBe("");
      expect(props.metadata).toEqual({ study: study.id, element: String(element.index) });
      expect(Buffer.from(props.contentMD5!).toString("base64")).toBe(md5Base64(files[element.index]!.bytes));

      const image = await fetch(element.url);
      expect(image.headers.get("cache-control")).toMatch(/^private, max-age=\d+/);
      expect(image.headers.get("content-type")).toBe("image/png");
      expect(image.headers.get("content-encoding")).toBeNull();
    }
    await expectIntact(study, files);
  });
});

describe("a snapshot taken through an upload URL", () => {
  it("does not wedge the commit: a bad upload is refused with 422 and can be sent again", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    expect((await putBlob(batch.files[1]!, Buffer.from("<html>not an image</html>"))).status).toBe(201);
    for (const target of batch.files) {
      expect((await fetch(`${target.uploadUrl}&comp=snapshot`, { method: "PUT" })).status).toBe(201);
    }

    const refused = await api.post("/api/studies", commitBody(batch, files));
    expect(refused.status).toBe(422);
    expect(apiErrorSchema.parse(await refused.json()).error.files?.map((f) => f.index)).toEqual([1]);

    const refreshed = (await (await api.post(`/api/batches/${batch.batchId}/refresh`, {})).json()) as {
      files: { index: number; uploadUrl: string; headers: Record<string, string> }[];
    };
    expect(refreshed.files.map((f) => f.index)).toEqual([1]);
    expect((await putBlob(refreshed.files[0]!, files[1]!.bytes)).status).toBe(201);
    const committed = await api.post("/api/studies", commitBody(batch, files));
    expect(committed.status).toBe(201);
    await expectIntact(studySchema.parse(await committed.json()), files);
  });
});

describe("refresh during a commit", () => {
  it("hands out no upload URLs while the batch's commit holds its lease", async () => {
    const files = [pngFile("a.png")];
    const batch = await createBatch(api, files);
    // A commit in flight holds the plan's lease; take it as one would.
    const lease = await api.storage.records.lease("batches", `${batch.batchId}.json`, 15);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);
    try {
      const res = await api.post(`/api/batches/${batch.batchId}/refresh`, {});
      expect(res.status).toBe(409);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(apiErrorSchema.parse(await res.json()).error.code).toBe("commit_in_progress");
    } finally {
      await lease.release();
    }
    expect((await api.post(`/api/batches/${batch.batchId}/refresh`, {})).status).toBe(200);
  });
});

describe("image structure", () => {
  it("refuses a PNG signature followed by HTML and records real images' pixel sizes", async () => {
    const disguised = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from("<html><script>alert(1)</script></html>".padEnd(2000, " ")),
    ]);
    const files: LocalFile[] = [pngFile("fine.png"), { name: "page.png", type: "image/png", bytes: disguised }];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const refused = await api.post("/api/studies", commitBody(batch, files));
    expect(refused.status).toBe(422);
    const problem = apiErrorSchema.parse(await refused.json()).error.files;
    expect(problem).toEqual([{ index: 1, problem: expect.stringMatching(/PNG/) as string }]);
  });

  it("records each image's width and height in the study", async () => {
    const sized = (name: string, type: ImageType, width: number, height: number): LocalFile => ({
      name,
      type,
      bytes: Buffer.from(syntheticImage(type, 900, { width, height })),
    });
    const files = [
      sized("wide.png", "image/png", 33, 7),
      sized("photo.jpg", "image/jpeg", 40, 30),
      sized("anim.gif", "image/gif", 5, 9),
      sized("pic.webp", "image/webp", 640, 2),
    ];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const committed = await api.post("/api/studies", commitBody(batch, files));
    expect(committed.status).toBe(201);
    const study = studySchema.parse(
      await (await api.get(`/api/studies/${studySchema.parse(await committed.json()).id}`)).json(),
    );
    expect(study.elements.map((e) => [e.width, e.height])).toEqual([
      [33, 7],
      [40, 30],
      [5, 9],
      [640, 2],
    ]);
  });
});
