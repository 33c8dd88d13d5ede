import { createHash, randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, inject } from "vitest";
import { defaultUploadConfig, type ImageType, type UploadConfig } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { createApp } from "../src/app.js";
import { apiConfigFromEnv, type ApiConfig, type RateLimits } from "../src/config.js";
import { parseEnv } from "../src/env.js";
import { forEachBucket } from "../src/rate-limit-settings.js";
import { createLogger } from "../src/logger.js";
import type { Semaphore } from "../src/semaphore.js";
import { BlobStorage } from "../src/storage/blob-storage.js";
import { setupStorage } from "../src/storage/setup-storage.js";

export interface TestApi {
  baseUrl: string;
  containerPrefix: string;
  storage: BlobStorage;
  config: ApiConfig;
  close(): Promise<void>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  delete(path: string, headers?: Record<string, string>): Promise<Response>;
}

export interface TestApiOptions {
  connectionString?: string;
  containerPrefix?: string;
  /** Storage built by the test (another account, another signer); containers are still created. */
  storage?: BlobStorage;
  /** Overrides of the defaults that an empty environment gives (auth, rate limits, ...). */
  config?: Partial<Omit<ApiConfig, "limits" | "rateLimits">> & { rateLimits?: Partial<RateLimits> };
  /** The app's clock (rate limits, caches); the real one unless a test steps through time. */
  now?: () => number;
  /** The app's slots for verifying commits, for a test that holds them; else built from the config. */
  verifySlots?: Semaphore;
}

/** The shared test Azurite's blob endpoint: its origin and account path. */
export const azuriteBlobEndpoint = () => /BlobEndpoint=([^;]+)/.exec(inject("azuriteConnectionString"))![1]!;

/** The shared Azurite's connection string (its account and key) naming another endpoint: a proxy, a closed port. */
export const azuriteVia = (blobEndpoint: string) =>
  inject("azuriteConnectionString").replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${blobEndpoint}`);

/** A port free right now on 127.0.0.1, for a server that must keep its port across a restart. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** For tests about something else that send more requests than a person would. */
export const NO_RATE_LIMITS: RateLimits = forEachBucket(() => 0);

/** The real app over real HTTP against the shared Azurite, in containers of its own. */
export async function startTestApi(limits: Partial<UploadConfig> = {}, options: TestApiOptions = {}): Promise<TestApi> {
  const storage =
    options.storage ??
    new BlobStorage({
      connectionString: options.connectionString ?? inject("azuriteConnectionString"),
      containerPrefix: options.containerPrefix ?? `t${randomBytes(4).toString("hex")}-`,
    });
  // The documented defaults (so the tests prove they do not throttle ordinary use), plus the test's overrides.
  const defaults = apiConfigFromEnv(parseEnv({}));
  const config: ApiConfig = {
    ...defaults,
    readSasTtlSeconds: 300,
    readUrlWindowSeconds: 600,
    reuseStoredImages: true,
    corsOrigins: ["http://localhost:5173"],
    webDistDir: "/nonexistent",
    ...options.config,
    limits: { ...defaultUploadConfig, ...limits },
    rateLimits: { ...defaults.rateLimits, ...options.config?.rateLimits },
  };
  const logger = createLogger("silent");
  await setupStorage(storage.account, config, { configureCors: false }, logger);
  const app = createApp({ storage, config, logger, now: options.now, verifySlots: options.verifySlots });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    containerPrefix: storage.account.containers.images.replace(/images$/, ""),
    storage,
    config,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    post: (path, body, headers = {}) =>
      fetch(baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    get: (path, headers = {}) => fetch(baseUrl + path, { headers }),
    delete: (path, headers = {}) => fetch(baseUrl + path, { method: "DELETE", headers }),
  };
}

/**
 * One test API for the tests of this file (or of the describe block it is called in): started before them, closed
 * after them. Its members read the started API, so use them inside tests and hooks.
 */
export function testApiForSuite(limits: Partial<UploadConfig> = {}, options: TestApiOptions = {}): TestApi {
  let started: TestApi | undefined;
  beforeAll(async () => {
    started = await startTestApi(limits, options);
  });
  afterAll(() => started?.close());
  const api = () => {
    if (!started) throw new Error("The suite's test API starts before its tests: use it inside a test or hook");
    return started;
  };
  return {
    get baseUrl() {
      return api().baseUrl;
    },
    get containerPrefix() {
      return api().containerPrefix;
    },
    get storage() {
      return api().storage;
    },
    get config() {
      return api().config;
    },
    close: () => api().close(),
    post: (...args) => api().post(...args),
    get: (...args) => api().get(...args),
    delete: (...args) => api().delete(...args),
  };
}

/** An image of the given type that passes the server's structure check (a valid head), then random bytes. */
export function imageBytes(type: ImageType, size: number): Buffer {
  const bytes = syntheticImage(type, size);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** APP1's segment length field is 16 bits: each such segment is its marker and 65,535 more bytes. */
const MAX_SEGMENT_BYTES = 2 + 0xffff;

/**
 * A hostile JPEG: its start-of-image marker, then maximum-length APP1 segments of random bytes to its end (the
 * last one cut short), so no frame header lies anywhere in it. With the right size and MD5 only the structure
 * check stops it, after walking to the scan limit.
 */
export function metadataOnlyJpeg(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8]);
  for (let at = 2; at + 4 <= size; at += MAX_SEGMENT_BYTES) bytes.set([0xff, 0xe1, 0xff, 0xff], at);
  return bytes;
}

export const md5Base64 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64");

/** The MD5 of what a read URL serves: storage's bytes, as a browser would get them. */
export async function servedMd5(url: string | URL): Promise<string> {
  const image = await fetch(url);
  if (image.status !== 200) throw new Error(`read: ${image.status} ${await image.text()}`);
  return md5Base64(new Uint8Array(await image.arrayBuffer()));
}

export interface LocalFile {
  name: string;
  type: ImageType;
  bytes: Buffer;
}

export function pngFile(name: string, size = 2048): LocalFile {
  return { name, type: "image/png", bytes: imageBytes("image/png", size) };
}

export const fileSpec = (f: LocalFile) => ({ name: f.name, size: f.bytes.length, type: f.type });

/** Uploads as the browser does: one Put Blob with the headers the API returned and the body's MD5. */
export function putBlob(
  target: { uploadUrl: string; headers: Record<string, string> },
  bytes: Uint8Array,
  md5 = md5Base64(bytes),
) {
  return fetch(target.uploadUrl, {
    method: "PUT",
    headers: { ...target.headers, "content-md5": md5 },
    body: bytes,
  });
}

export interface BatchResponse {
  batchId: string;
  expiresAt: string;
  files: { index: number; uploadUrl: string; headers: Record<string, string> }[];
}

export async function createBatch(
  api: Pick<TestApi, "post">,
  files: LocalFile[],
  headers: Record<string, string> = {},
): Promise<BatchResponse> {
  const res = await api.post("/api/batches", { files: files.map(fileSpec) }, headers);
  if (res.status !== 201) throw new Error(`batch: ${res.status} ${await res.text()}`);
  return (await res.json()) as BatchResponse;
}

export async function uploadAll(batch: BatchResponse, files: LocalFile[]) {
  // Sent again once when the connection fails before an answer (a kept-alive socket storage had just closed), as
  // the browser's uploader would; nothing was stored then, so the create-only URL still takes it.
  const upload = (t: BatchResponse["files"][number]) => putBlob(t, files[t.index]!.bytes);
  const results = await Promise.all(batch.files.map((t) => upload(t).catch(() => upload(t))));
  for (const res of results) if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
}

export function commitBody(batch: BatchResponse, files: LocalFile[], title = "A study") {
  return {
    batchId: batch.batchId,
    title,
    elements: files.map((f, index) => ({ index, label: f.name.replace(/\.\w+$/, ""), md5: md5Base64(f.bytes) })),
  };
}
