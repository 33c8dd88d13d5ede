import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBatchResponseSchema, studySchema } from "@study-uploader/shared";
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
 * prefix stripped, everything else to the API, so the browser sees one origin.
 */
function startFrontDoor(apiUrl: URL): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const toStorage = req.url?.startsWith("/storage/") ?? false;
    const upstream = toStorage ? azurite : apiUrl;
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: toStorage ? req.url!.slice("/storage".length) : req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const storage = new BlobStorage({
    connectionString,
    containerPrefix: `same-${Date.now().toString(36)}-`,
    publicBlobEndpoint: `/storage${azurite.pathname}`,
  });
  api = await startTestApi({}, { storage });
  front = await startFrontDoor(new URL(api.baseUrl));
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
});
