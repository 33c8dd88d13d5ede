import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { imageBytes, md5Base64, testApiForSuite } from "./test-api.js";

const api = testApiForSuite();
let uploads: ContainerClient;
let copies: ContainerClient;
let records: ContainerClient;
beforeAll(async () => {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  uploads = service.getContainerClient(api.storage.account.containers.images);
  copies = service.getContainerClient(api.storage.account.containers.committed);
  records = service.getContainerClient(api.storage.account.containers.studies);
});

let counter = 0;
/** An upload as a browser could make it, headers of its choosing included. */
async function upload(bytes: Uint8Array, headers: { blobContentType?: string; blobCacheControl?: string } = {}) {
  const name = `b${(counter += 1)}/0`;
  await uploads.getBlockBlobClient(name).upload(bytes, bytes.length, {
    blobHTTPHeaders: {
      blobContentType: "image/png",
      blobContentMD5: Buffer.from(md5Base64(bytes), "base64"),
      ...headers,
    },
  });
  return name;
}

describe("inspecting an upload with one plain ranged read, then streaming on", () => {
  it("tells exactly what the SDK's own property and range reads tell", async () => {
    const bytes = imageBytes("image/png", 5000);
    for (const headers of [{}, { blobContentType: "text/html", blobCacheControl: "public, max-age=9" }]) {
      const name = await upload(bytes, headers);
      const props = await uploads.getBlobClient(name).getProperties();
      expect(await api.storage.images.inspect(name, 1024)).toEqual({
        size: props.contentLength,
        md5: Buffer.from(props.contentMD5!).toString("base64"),
        etag: props.etag,
        contentType: props.contentType,
        hasUploaderHeaders: Boolean(props.cacheControl),
        head: new Uint8Array(bytes.subarray(0, 1024)),
      });
    }
    expect(await api.storage.images.inspect("no/such-blob", 1024)).toBeNull();
  });

  it("streams on only from the version it inspected", async () => {
    const bytes = imageBytes("image/png", 5000);
    const name = await upload(bytes);
    const { etag } = (await api.storage.images.inspect(name, 1024))!;
    const read = await api.storage.images.streamRange(name, 1024, 3024, etag);
    const chunks: Uint8Array[] = [];
    for await (const chunk of read!) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(bytes.subarray(1024, 3024)));
    expect(await api.storage.images.streamRange(name, 1024, 3024, '"0x8D000000000000"')).toBeNull();
    expect(await api.storage.images.streamRange("no/such-blob", 0, 10, etag)).toBeNull();
  });

  it("serves reads after streamed reads that were broken off after their first chunk", async () => {
    const bytes = imageBytes("image/png", 4 * 1024 * 1024);
    const name = await upload(bytes);
    const { etag } = (await api.storage.images.inspect(name, 1024))!;
    for (let i = 0; i < 3; i++) {
      for await (const chunk of (await api.storage.images.streamRange(name, 0, bytes.length, etag))!) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    expect((await api.storage.images.inspect(name, 1024))?.etag).toBe(etag);
  });
});

describe("copying a verified upload with one plain Copy Blob From URL", () => {
  it("copies exactly the verified version, with only the server's metadata, and never another", async () => {
    const bytes = imageBytes("image/png", 5000);
    const name = await upload(bytes);
    const { etag } = (await api.storage.images.inspect(name))!;
    const url = await api.storage.sas.copySourceUrl(name);
    const md5 = md5Base64(bytes);
    const copy = `${name}-copy`;
    const metadata = { study: "s1", element: "0" };

    expect(await api.storage.committed.copyVerified(copy, { url, etag }, md5, metadata)).toBe("copied");
    const props = await copies.getBlobClient(copy).getProperties();
    expect(props.metadata).toEqual(metadata);
    expect(md5Base64(await copies.getBlobClient(copy).downloadToBuffer())).toBe(md5);
    // The same copy again (a repeated commit) is already there: success, nothing rewritten.
    expect(await api.storage.committed.copyVerified(copy, { url, etag }, md5, metadata)).toBe("copied");
    expect((await copies.getBlobClient(copy).getProperties()).etag).toBe(props.etag);

    const stale = '"0x8D000000000000"';
    expect(await api.storage.committed.copyVerified(`${name}-other`, { url, etag: stale }, md5, metadata)).toBe(
      "source-changed",
    );
    expect(await copies.getBlobClient(`${name}-other`).exists()).toBe(false);
  });
});

describe("the server's own container SASes", () => {
  it("read uploads and records, create copies and records, and overwrite or delete neither", async () => {
    const bytes = imageBytes("image/png", 2000);
    const name = await upload(bytes);
    const { etag } = (await api.storage.images.inspect(name))!;
    const url = await api.storage.sas.copySourceUrl(name);
    const copy = `${name}-sealed`;
    await api.storage.committed.copyVerified(copy, { url, etag }, md5Base64(bytes), { study: "s", element: "0" });

    const put = (target: string) =>
      fetch(target, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: new Uint8Array(8) });
    expect((await put(await api.storage.sas.serverUrl(uploads, "r", name))).status).toBe(403);
    expect((await put(await api.storage.sas.serverUrl(uploads, "r", "b-new/0"))).status).toBe(403);
    expect((await put(await api.storage.sas.serverUrl(records, "r", "owner/study.json"))).status).toBe(403);
    await api.storage.records.create("studies", "owner/made.json", { id: "made" });
    expect([403, 409]).toContain((await put(await api.storage.sas.serverUrl(records, "c", "owner/made.json"))).status);
    const copyUrl = await api.storage.sas.serverUrl(copies, "c", copy);
    expect([403, 409]).toContain((await put(copyUrl)).status);
    expect((await fetch(copyUrl, { method: "DELETE" })).status).toBe(403);
    expect(md5Base64(await copies.getBlobClient(copy).downloadToBuffer())).toBe(md5Base64(bytes));
  });
});
