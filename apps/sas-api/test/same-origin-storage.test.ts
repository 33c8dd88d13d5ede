import http from "node:http";
import { BlobSASPermissions, BlobServiceClient } from "@azure/storage-blob";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  STORAGE_RESPONSE_HEADERS,
  browserContainerPaths,
  createBatchResponseSchema,
  storageForwardPath,
  studySchema,
} from "@study-uploader/shared";
import { BlobStorage } from "../src/storage/blob-storage.js";
import {
  azuriteBlobEndpoint,
  commitBody,
  fileSpec,
  md5Base64,
  pngFile,
  putBlob,
  servedMd5,
  startTestApi,
  type TestApi,
} from "./test-api.js";

const connectionString = inject("azuriteConnectionString");
const azurite = new URL(azuriteBlobEndpoint());

let api: TestApi;
let front: http.Server;
let origin: string;

/**
 * The app's front door in miniature (Azure Front Door in production): `/storage/*` goes to storage with the
 * prefix stripped, but only into the browser's two containers, and its answers carry the storage path's headers;
 * everything else goes to the API, so the browser sees one origin.
 */
function startFrontDoor(apiUrl: URL, containerPrefix: string): Promise<http.Server> {
  const containers = browserContainerPaths(azurite.pathname, containerPrefix);
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const onStoragePath = url === "/storage" || /^\/storage[/?]/.test(url);
    const storagePath = onStoragePath ? storageForwardPath(req.method ?? "GET", url, containers) : null;
    if (onStoragePath && storagePath === null) {
      req.resume();
      res.writeHead(404, STORAGE_RESPONSE_HEADERS).end();
      return;
    }
    const upstream = onStoragePath ? azurite : apiUrl;
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: storagePath ?? url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          ...(onStoragePath ? STORAGE_RESPONSE_HEADERS : {}),
        });
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const containerPrefix = `same-${Date.now().toString(36)}-`;
  const storage = new BlobStorage({
    connectionString,
    containerPrefix,
    publicBlobEndpoint: `/storage${azurite.pathname}`,
  });
  api = await startTestApi({}, { storage });
  front = await startFrontDoor(new URL(api.baseUrl), containerPrefix);
  origin = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => front.close(resolve));
  await api.close();
});

const viaFront = (path: string, body: unknown) =>
  fetch(origin + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("storage on the app's own origin (PUBLIC_BLOB_ENDPOINT=/storage/…)", () => {
  it("hands out root-relative URLs that upload and show the image once resolved against the page", async () => {
    const files = [pngFile("a.png", 4000)];
    const created = await viaFront("/api/batches", { files: files.map(fileSpec) });
    expect(created.status).toBe(201);
    const batch = createBatchResponseSchema.parse(await created.json());
    const target = batch.files[0]!;
    expect(target.uploadUrl).toMatch(new RegExp(`^/storage${azurite.pathname}/same-[^/]+images/${batch.batchId}/0\\?`));

    // A browser resolves the path against the page's origin: the front door.
    const put = await putBlob({ ...target, uploadUrl: new URL(target.uploadUrl, origin).href }, files[0]!.bytes);
    expect(put.status).toBe(201);

    const committed = await viaFront("/api/studies", commitBody(batch, files));
    expect(committed.status).toBe(201);
    const url = studySchema.parse(await committed.json()).elements[0]!.url;
    expect(url).toMatch(/^\/storage\//);
    expect(await servedMd5(new URL(url, origin))).toBe(md5Base64(files[0]!.bytes));
  });

  it("names no storage origin in the Content-Security-Policy: 'self' covers it", async () => {
    expect(api.storage.sas.publicOrigin).toBeNull();
    const csp = (await fetch(`${origin}/api/health`)).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("img-src 'self' blob: data:;");
    expect(csp).not.toContain(azurite.host);
  });

  it("reaches only the uploads and committed images, every answer with nosniff and a sandbox CSP", async () => {
    const files = [pngFile("scope.png", 3000)];
    const batch = createBatchResponseSchema.parse(
      await (await viaFront("/api/batches", { files: files.map(fileSpec) })).json(),
    );
    const target = batch.files[0]!;
    const put = await putBlob({ ...target, uploadUrl: new URL(target.uploadUrl, origin).href }, files[0]!.bytes);
    expect(put.status).toBe(201);
    expect(put.headers.get("x-content-type-options")).toBe("nosniff");
    expect(put.headers.get("content-security-policy")).toBe("sandbox");
    const committed = await viaFront("/api/studies", commitBody(batch, files));
    const image = await fetch(new URL(studySchema.parse(await committed.json()).elements[0]!.url, origin));
    expect(image.status).toBe(200);
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
    expect(image.headers.get("content-security-policy")).toBe("sandbox");

    // A SAS for the study records, valid at storage itself, is refused at the door: that container is not on it.
    const prefix = api.containerPrefix;
    const record = await api.storage.records.list("studies", "");
    const recordUrl = new URL(
      await BlobServiceClient.fromConnectionString(connectionString)
        .getContainerClient(`${prefix}studies`)
        .getBlobClient(record[0]!.name)
        .generateSasUrl({ permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 600_000) }),
    );
    expect((await fetch(recordUrl)).status).toBe(200);
    const viaDoor = await fetch(`${origin}/storage${recordUrl.pathname}${recordUrl.search}`);
    expect(viaDoor.status).toBe(404);
    expect(viaDoor.headers.get("content-security-policy")).toBe("sandbox");
    for (const path of [
      `/storage${azurite.pathname}/${prefix}studies/`,
      `/storage${azurite.pathname}?comp=list`,
      `/storage${azurite.pathname}/${prefix}images?restype=container&comp=list`,
      `/storage${azurite.pathname}/${prefix}images/../${prefix}studies/${record[0]!.name}`,
    ]) {
      expect((await fetch(origin + path)).status, path).toBe(404);
    }
    const removal = await fetch(new URL(target.uploadUrl, origin), { method: "DELETE" });
    expect(removal.status).toBe(404);
  });
});
