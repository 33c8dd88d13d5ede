import { describe, expect, it } from "vitest";
import {
  THUMBNAIL_MAX_BYTES,
  createBatchResponseSchema,
  refreshBatchResponseSchema,
  studyListSchema,
  studySchema,
  type CreateBatchResponse,
  type UploadTarget,
} from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { studyIdForBatch } from "../src/domain/ids.js";
import { studyIndexName } from "../src/domain/records.js";
import { sweepAbandonedBatches } from "../src/domain/sweep.js";
import { createLogger } from "../src/logger.js";
import {
  commitBody,
  fileSpec,
  md5Base64,
  pngFile,
  servedMd5,
  testApiForSuite,
  uploadAll,
  type LocalFile,
} from "./test-api.js";

const api = testApiForSuite();

/** A JPEG the structure check accepts, of these pixels and bytes (a valid head, then random bytes). */
const jpeg = (width: number, height: number, size = 6000) => syntheticImage("image/jpeg", size, { width, height });

async function newBatch(files: LocalFile[]): Promise<CreateBatchResponse> {
  const res = await api.post("/api/batches", { files: files.map(fileSpec) });
  expect(res.status).toBe(201);
  return createBatchResponseSchema.parse(await res.json());
}

/** PUTs a thumbnail as the browser does: the target's headers (or others, to spoof), the body's MD5. */
async function putThumbnail(target: UploadTarget, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(target.thumbnail!.uploadUrl, {
    method: "PUT",
    headers: { ...target.thumbnail!.headers, "content-md5": md5Base64(bytes), ...headers },
    body: bytes,
  });
  expect(res.status).toBe(201);
}

async function commit(batch: CreateBatchResponse, files: LocalFile[], title: string) {
  const res = await api.post("/api/studies", commitBody(batch, files, title));
  expect(res.status).toBe(201);
  return studySchema.parse(await res.json());
}

async function listed(studyId: string) {
  const list = studyListSchema.parse(await (await api.get("/api/studies?limit=100")).json());
  return list.studies.find((s) => s.id === studyId)!;
}

const statusOf = async (url: string) => (await fetch(url)).status;

describe("thumbnails", () => {
  it("each file's upload target names a create-only thumbnail URL beside it, also on refresh", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await newBatch(files);
    for (const target of batch.files) {
      const url = new URL(target.thumbnail!.uploadUrl);
      expect(decodeURIComponent(url.pathname)).toMatch(new RegExp(`/${batch.batchId}/${target.index}-thumb$`));
      expect(url.searchParams.get("sp")).toBe("c");
      expect(target.thumbnail!.headers).toMatchObject({ "x-ms-blob-content-type": "image/jpeg" });
    }
    const refreshed = await api.post(`/api/batches/${batch.batchId}/refresh`, { indexes: [1] });
    expect(refreshBatchResponseSchema.parse(await refreshed.json()).files[0]!.thumbnail).toBeDefined();
  });

  it("a good thumbnail is committed beside its image and reads back byte for byte, in the study and the list", async () => {
    const files = [pngFile("first.png", 5000), pngFile("second.png", 5001)];
    const thumbs = [jpeg(256, 192, 9000), jpeg(120, 256, 3000)];
    const batch = await newBatch(files);
    await uploadAll(batch, files);
    await Promise.all(batch.files.map((t) => putThumbnail(t, thumbs[t.index]!)));
    const study = await commit(batch, files, "with thumbnails");

    for (const [i, element] of study.elements.entries()) {
      expect(element.thumbnailUrl).not.toBeNull();
      expect(await servedMd5(element.thumbnailUrl!)).toBe(md5Base64(thumbs[i]!));
      // The image itself is still the full one.
      expect(await servedMd5(element.url)).toBe(md5Base64(files[i]!.bytes));
    }
    const read = await fetch(study.elements[0]!.thumbnailUrl!);
    expect(read.headers.get("content-type")).toBe("image/jpeg");
    expect(Number(read.headers.get("content-length"))).toBe(thumbs[0]!.length);
    // A copy in the committed container, under the study: no upload URL reaches it.
    const copies = await api.storage.committed.list(`${study.id}/`);
    expect(copies.filter((name) => name.includes("-thumb-"))).toHaveLength(2);

    const again = studySchema.parse(await (await api.get(`/api/studies/${study.id}`)).json());
    expect(await servedMd5(again.elements[1]!.thumbnailUrl!)).toBe(md5Base64(thumbs[1]!));
    const summary = await listed(study.id);
    expect(await servedMd5(summary.thumbnailUrl!)).toBe(md5Base64(thumbs[0]!));
  });

  it("a too heavy, too large, non-JPEG, spoofed, damaged or absent thumbnail is dropped and the study commits", async () => {
    const files = Array.from({ length: 7 }, (_, i) => pngFile(`img-${i}.png`, 4000 + i));
    const png = syntheticImage("image/png", 3000, { width: 100, height: 100 });
    const thumbs: (Uint8Array | null)[] = [
      jpeg(200, 200, THUMBNAIL_MAX_BYTES + 1), // over the byte limit
      jpeg(512, 200), // over the pixel limit
      png, // a PNG, declared a JPEG
      new TextEncoder().encode("<html><script>alert(1)</script></html>".padEnd(500)), // no image at all
      jpeg(100, 100).subarray(0, 12), // cut short before its frame header
      null, // none uploaded
      jpeg(64, 48), // a good one, sent with a type of its own choosing: kept, served as a JPEG
    ];
    const batch = await newBatch(files);
    await uploadAll(batch, files);
    await Promise.all(
      batch.files.flatMap((t) => {
        const bytes = thumbs[t.index];
        return bytes ? [putThumbnail(t, bytes, t.index === 6 ? { "x-ms-blob-content-type": "text/html" } : {})] : [];
      }),
    );
    const study = await commit(batch, files, "bad thumbnails");

    expect(study.elements.map((e) => e.thumbnailUrl === null)).toEqual([true, true, true, true, true, true, false]);
    const kept = await fetch(study.elements[6]!.thumbnailUrl!);
    expect(kept.headers.get("content-type")).toBe("image/jpeg");
    expect(md5Base64(new Uint8Array(await kept.arrayBuffer()))).toBe(md5Base64(thumbs[6]!));
    for (const [i, element] of study.elements.entries()) {
      expect(await servedMd5(element.url)).toBe(md5Base64(files[i]!.bytes));
    }
    // Its first element has none: the list shows a placeholder.
    expect((await listed(study.id)).thumbnailUrl).toBeNull();
    expect((await api.storage.committed.list(`${study.id}/`)).filter((n) => n.includes("-thumb-"))).toHaveLength(1);
  });

  it("a study listed before thumbnails (its entry names the full first image) is listed without one", async () => {
    const files = [pngFile("old.png")];
    const batch = await newBatch(files);
    await uploadAll(batch, files);
    await putThumbnail(batch.files[0]!, jpeg(100, 80));
    const study = await commit(batch, files, "old entry");
    expect((await listed(study.id)).thumbnailUrl).not.toBeNull();
    // Rewrite its entry as code before thumbnails wrote it: the first image's blob, type and location only.
    const entry = studyIndexName("anonymous", study.createdAt, study.id);
    const [stored] = await api.storage.records.list("index", entry);
    expect(stored?.metadata.thumbjpeg).toBeDefined();
    const { thumbjpeg: _new, ...before } = stored!.metadata;
    await api.storage.records.setMetadata("index", entry, before);
    expect((await listed(study.id)).thumbnailUrl).toBeNull();
  });

  it("removing a file deletes its thumbnail upload; deleting a study deletes its thumbnails", async () => {
    const files = [pngFile("keep.png"), pngFile("drop.png")];
    const batch = await newBatch(files);
    await uploadAll(batch, files);
    await Promise.all(batch.files.map((t) => putThumbnail(t, jpeg(80, 80))));
    expect((await api.delete(`/api/batches/${batch.batchId}/files/1`)).status).toBe(204);
    expect((await api.storage.images.list(`${batch.batchId}/`)).sort()).toEqual(
      [`${batch.batchId}/0`, `${batch.batchId}/0-thumb`].sort(),
    );

    const body = commitBody(batch, files, "deleted");
    const res = await api.post("/api/studies", { ...body, elements: body.elements.slice(0, 1) });
    expect(res.status).toBe(201);
    const study = studySchema.parse(await res.json());
    const thumbnailUrl = study.elements[0]!.thumbnailUrl!;
    expect(await statusOf(thumbnailUrl)).toBe(200);

    expect((await api.delete(`/api/studies/${study.id}`)).status).toBe(204);
    expect(await statusOf(thumbnailUrl)).toBe(404);
    expect(await api.storage.committed.list(`${study.id}/`)).toEqual([]);
    expect(await api.storage.images.list(`${batch.batchId}/`)).toEqual([]);
  });

  it("the sweep keeps a study's thumbnails and removes its uploads, and an abandoned batch's thumbnails go", async () => {
    const files = [pngFile("swept.png")];
    const committed = await newBatch(files);
    await uploadAll(committed, files);
    await putThumbnail(committed.files[0]!, jpeg(90, 90));
    const study = await commit(committed, files, "swept");
    const abandoned = await newBatch(files);
    await putThumbnail(abandoned.files[0]!, jpeg(90, 90));

    const counts = await sweepAbandonedBatches(
      { storage: api.storage, logger: createLogger("silent") },
      { stagingTtlHours: 24, now: new Date(Date.now() + 48 * 3600_000) },
    );
    expect(counts.deletedCopies).toBe(0);
    expect(await servedMd5(study.elements[0]!.thumbnailUrl!)).toBeTruthy();
    expect(await api.storage.committed.list(`${studyIdForBatch(committed.batchId)}/`)).toHaveLength(2);
    expect(await api.storage.images.list(`${committed.batchId}/`)).toEqual([]);
    expect(await api.storage.images.list(`${abandoned.batchId}/`)).toEqual([]);
  });
});
