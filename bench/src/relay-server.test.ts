import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BlobSASPermissions, BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { startRelayServer, type RelayServer, type RelayStudyReport } from "./relay-server.js";
import { startShapingProxy, type ShapingProxy } from "./shaping-proxy.js";

const KIB = 1024;
const MIB = 1024 * KIB;
const WEB_ORIGIN = "http://127.0.0.1:8787";
const md5 = (data: Buffer) => createHash("md5").update(data).digest("base64");

const connectionString = inject("azuriteConnectionString");
let relay: RelayServer;
let container: ContainerClient;

beforeAll(async () => {
  relay = await startRelayServer({
    connectionString,
    corsOrigins: [WEB_ORIGIN],
    containerName: "relay-test",
    maxFileBytes: 4 * MIB,
  });
  container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient("relay-test");
});

afterAll(async () => {
  await relay?.close();
});

function studyForm(title: string, files: Array<{ name: string; type: string; body: Buffer }>): FormData {
  const form = new FormData();
  form.append("title", title);
  for (const file of files) form.append("files", new Blob([file.body], { type: file.type }), file.name);
  return form;
}

describe("relay server (old design)", () => {
  it("stores every posted file in storage with the right MD5, content and type", async () => {
    const files = [
      { name: "scan-1.png", type: "image/png", body: randomBytes(3 * MIB + 7) },
      { name: "scan-2.jpg", type: "image/jpeg", body: randomBytes(200 * KIB) },
      { name: "scan-3.webp", type: "image/webp", body: randomBytes(1) },
    ];
    const statsBefore = relay.stats();

    const response = await fetch(`${relay.url}/relay/studies`, { method: "POST", body: studyForm("Knee MRI", files) });

    expect(response.status).toBe(201);
    const report = (await response.json()) as RelayStudyReport;
    expect(report.title).toBe("Knee MRI");
    expect(report.files.map((f) => [f.index, f.name, f.size])).toEqual(files.map((f, i) => [i, f.name, f.body.length]));
    for (const [i, file] of files.entries()) {
      const stored = report.files[i];
      expect(stored?.md5).toBe(md5(file.body));
      const blob = container.getBlockBlobClient(stored?.blobName ?? "");
      const properties = await blob.getProperties();
      expect(Buffer.from(properties.contentMD5 ?? []).toString("base64")).toBe(md5(file.body));
      expect(properties.contentType).toBe(file.type);
      expect((await blob.downloadToBuffer()).equals(file.body)).toBe(true);
    }

    const totalBytes = files.reduce((sum, f) => sum + f.body.length, 0);
    expect(report.bytesReceived).toBeGreaterThan(totalBytes);
    expect(report.cpu.userMicros + report.cpu.systemMicros).toBeGreaterThan(0);
    const statsAfter = relay.stats();
    expect(statsAfter.studies - statsBefore.studies).toBe(1);
    expect(statsAfter.bytesUploaded - statsBefore.bytesUploaded).toBe(totalBytes);
  });

  it("reports its totals at GET /relay/stats", async () => {
    const stats = (await (await fetch(`${relay.url}/relay/stats`)).json()) as ReturnType<RelayServer["stats"]>;
    expect(stats.studies).toBeGreaterThanOrEqual(1);
    expect(stats.bytesReceived).toBeGreaterThan(0);
  });

  it("allows the web origin, and only it, by CORS", async () => {
    const preflight = (origin: string) =>
      fetch(`${relay.url}/relay/studies`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    expect((await preflight(WEB_ORIGIN)).headers.get("access-control-allow-origin")).toBe(WEB_ORIGIN);
    expect((await preflight("http://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("rejects a body that is not multipart, one without files and a file over the limit", async () => {
    const notMultipart = await fetch(`${relay.url}/relay/studies`, {
      method: "POST",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    const noFiles = await fetch(`${relay.url}/relay/studies`, { method: "POST", body: studyForm("empty", []) });
    const tooLarge = await fetch(`${relay.url}/relay/studies`, {
      method: "POST",
      body: studyForm("big", [{ name: "big.png", type: "image/png", body: randomBytes(5 * MIB) }]),
    });
    expect([notMultipart.status, noFiles.status, tooLarge.status]).toEqual([400, 400, 413]);
  });

  it("works behind the shaping proxy, as the benchmark runs it", async () => {
    const shaping = await startShapingProxy({ upstream: relay.url, rttMs: 20, uploadBitsPerSecond: 50_000_000 });
    try {
      const body = randomBytes(MIB);
      const response = await fetch(`${shaping.url}/relay/studies`, {
        method: "POST",
        body: studyForm("shaped", [{ name: "a.png", type: "image/png", body }]),
      });
      expect(response.status).toBe(201);
      expect(((await response.json()) as RelayStudyReport).files[0]?.md5).toBe(md5(body));
    } finally {
      await shaping.close();
    }
  });
});

describe("shaping proxy in front of Azurite", () => {
  let shaping: ShapingProxy;
  beforeAll(async () => {
    shaping = await startShapingProxy({
      upstream: new URL(inject("azuriteBlobEndpoint")).origin,
      rttMs: 10,
      uploadBitsPerSecond: 100_000_000,
    });
  });
  afterAll(() => shaping?.close());

  it("carries a SAS Put Blob whose URL names the proxy, as PUBLIC_BLOB_ENDPOINT makes the API do", async () => {
    const blob = container.getBlockBlobClient(`sas/${Date.now()}`);
    const sasUrl = await blob.generateSasUrl({
      permissions: BlobSASPermissions.parse("c"),
      expiresOn: new Date(Date.now() + 5 * 60_000),
    });
    const viaProxy = new URL(sasUrl);
    viaProxy.host = new URL(shaping.url).host;
    const body = randomBytes(2 * MIB);

    const response = await fetch(viaProxy, {
      method: "PUT",
      body,
      headers: { "x-ms-blob-type": "BlockBlob", "content-type": "image/png", "content-md5": md5(body) },
    });

    expect(response.status).toBe(201);
    expect(Buffer.from((await blob.getProperties()).contentMD5 ?? []).toString("base64")).toBe(md5(body));
  });

  it("passes storage's own errors through, such as a wrong Content-MD5", async () => {
    const blob = container.getBlockBlobClient(`sas/${Date.now()}-bad`);
    const sasUrl = await blob.generateSasUrl({
      permissions: BlobSASPermissions.parse("c"),
      expiresOn: new Date(Date.now() + 5 * 60_000),
    });
    const viaProxy = new URL(sasUrl);
    viaProxy.host = new URL(shaping.url).host;

    const response = await fetch(viaProxy, {
      method: "PUT",
      body: randomBytes(KIB),
      headers: { "x-ms-blob-type": "BlockBlob", "content-md5": md5(Buffer.from("other")) },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get("x-ms-error-code")).toBe("Md5Mismatch");
  });
});
