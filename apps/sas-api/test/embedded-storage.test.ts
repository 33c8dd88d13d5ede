import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchResponseSchema, studySchema } from "@study-uploader/shared";
import { AZURITE_ACCOUNT_NAME, azuriteKeyFile } from "../src/azurite.js";
import { startApiProcess, type ApiProcess } from "./api-process.js";
import {
  azuriteBlobEndpoint,
  commitBody,
  fileSpec,
  freePort,
  md5Base64,
  pngFile,
  putBlob,
  servedMd5,
} from "./test-api.js";

/** The key printed in Azurite's README: anyone can sign with it, so the embedded storage must never accept it. */
const PUBLISHED_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** An account SAS for everything, signed with the published key, as a web page could make one in JavaScript. */
function publishedKeySas(): string {
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, PUBLISHED_KEY);
  return generateAccountSASQueryParameters(
    {
      services: AccountSASServices.parse("b").toString(),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      permissions: AccountSASPermissions.parse("rwdlc"),
      expiresOn: new Date(Date.now() + 3600_000),
    },
    credential,
  ).toString();
}

/** A raw request with any Host header: what a DNS-rebound page's requests look like to the emulator. */
function rawRequest(port: number, method: string, pathAndQuery: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: pathAndQuery, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Every way the published key could reach an emulator's blobs: SDK, account SAS by path, and by a rebound host. */
async function expectPublishedKeyRefused(blobPort: number, container: string, blob: string) {
  const endpoint = `http://127.0.0.1:${blobPort}/${AZURITE_ACCOUNT_NAME}`;
  const withKey = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, PUBLISHED_KEY));
  const listing = await withKey
    .listContainers()
    .next()
    .then(
      () => 200,
      (error: { statusCode?: number }) => error.statusCode,
    );
  expect(listing).toBe(403);
  const removal = await withKey
    .getContainerClient(container)
    .getBlobClient(blob)
    .delete()
    .then(
      () => 202,
      (error: { statusCode?: number }) => error.statusCode,
    );
  expect(removal).toBe(403);

  const sas = publishedKeySas();
  const localHost = `127.0.0.1:${blobPort}`;
  const reboundHost = `${AZURITE_ACCOUNT_NAME}.rebound.example:${blobPort}`;
  for (const [method, target, host] of [
    ["GET", `/${AZURITE_ACCOUNT_NAME}/?comp=list&${sas}`, localHost],
    ["GET", `/${AZURITE_ACCOUNT_NAME}/${container}/${blob}?${sas}`, localHost],
    ["DELETE", `/${AZURITE_ACCOUNT_NAME}/${container}/${blob}?${sas}`, localHost],
    // Azurite takes the account from a dotted host's first label.
    ["GET", `/?comp=list&${sas}`, reboundHost],
    ["DELETE", `/${container}/${blob}?${sas}`, reboundHost],
  ] as const) {
    expect([401, 403], `${method} ${target.split("?")[0]} as ${host}`).toContain(
      await rawRequest(blobPort, method, target, host),
    );
  }
}

describe("the tests' own Azurite", () => {
  it("refuses the published development key", async () => {
    const port = Number(new URL(azuriteBlobEndpoint()).port);
    await expectPublishedKeyRefused(port, "nothing-here", "x");
  });
});

/** `pnpm start`'s process (main.ts: Azurite kept in `dataDir`, then the API), run from source. */
const startDefaultApp = (dataDir: string, blobPort: number) =>
  startApiProcess(null, {
    AZURITE_BLOB_PORT: String(blobPort),
    AZURITE_LOCATION: dataDir,
    // The same containers across a restart.
    STORAGE_CONTAINER_PREFIX: "study-",
  });

function runSweep(dataDir: string, blobPort: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "sweep"], {
    cwd: API_DIR,
    env: { ...process.env, AZURITE_BLOB_PORT: String(blobPort), AZURITE_LOCATION: dataDir, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("the default start (main.ts with its embedded Azurite)", () => {
  let dataDir: string;
  let blobPort: number;
  let app: ApiProcess;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "embedded-storage-"));
    blobPort = await freePort();
    app = await startDefaultApp(dataDir, blobPort);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps a random key of its own with the data, readable by its owner alone, the same across restarts", async () => {
    const keyFile = azuriteKeyFile(dataDir);
    const key = readFileSync(keyFile, "utf8").trim();
    expect(key).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(key).not.toBe(PUBLISHED_KEY);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // A study committed now, read back after a restart, with the key that was kept.
    const files = [pngFile("kept.png", 3000)];
    const created = await app.post("/api/batches", { files: files.map(fileSpec) });
    expect(created.status).toBe(201);
    const batch = createBatchResponseSchema.parse(await created.json());
    expect((await putBlob(batch.files[0]!, files[0]!.bytes)).status).toBe(201);
    const committed = await app.post("/api/studies", commitBody(batch, files, "Kept across restarts"));
    expect(committed.status).toBe(201);
    const study = studySchema.parse(await committed.json());

    await app.stop();
    app = await startDefaultApp(dataDir, blobPort);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(key);
    const again = studySchema.parse(await (await fetch(`${app.baseUrl}/api/studies/${study.id}`)).json());
    expect(await servedMd5(again.elements[0]!.url)).toBe(md5Base64(files[0]!.bytes));

    // A client holding the published key gets nothing: not the list, not the image, no delete.
    const { pathname } = new URL(again.elements[0]!.url);
    const [, , container, ...blob] = pathname.split("/");
    await expectPublishedKeyRefused(blobPort, container!, blob.join("/"));
    expect(await servedMd5(again.elements[0]!.url)).toBe(md5Base64(files[0]!.bytes));
  }, 90_000);

  it("lets the sweep reach the running emulator with the kept key", async () => {
    const sweep = await runSweep(dataDir, blobPort);
    expect(sweep.code, sweep.output).toBe(0);
    expect(JSON.parse(sweep.output.trim().split("\n").at(-1)!)).toMatchObject({ failedBatches: 0 });
  }, 60_000);
});
