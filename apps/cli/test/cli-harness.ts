import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiClient, type ApiClient } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { startCountingProxy, type CountingProxy } from "./counting-proxy.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const CLI = path.join(REPO_ROOT, "apps/cli/dist/study-upload.js");
const API = path.join(REPO_ROOT, "apps/sas-api/dist/main.js");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Stack {
  /** The API as the command reaches it: through a proxy that counts its calls. */
  apiUrl: string;
  api: ApiClient;
  apiCalls: CountingProxy;
  /** Storage as upload URLs name it: through a proxy that counts (and can hold) the PUTs. */
  storage: CountingProxy;
  stop(): Promise<void>;
}

/** The built API on its own in-memory Azurite, with upload URLs that go through a counting proxy. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const [apiPort, azuritePort] = [await freePort(), await freePort()];
  const storage = await startCountingProxy(azuritePort);
  const location = mkdtempSync(path.join(tmpdir(), "cli-azurite-"));
  const api = spawn(process.execPath, [API], {
    env: {
      ...process.env,
      PORT: String(apiPort),
      HOST: "127.0.0.1",
      AZURITE_BLOB_PORT: String(azuritePort),
      AZURITE_IN_MEMORY: "true",
      AZURITE_LOCATION: location,
      PUBLIC_BLOB_ENDPOINT: `${storage.url}/devstoreaccount1`,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const direct = `http://127.0.0.1:${apiPort}`;
  for (let tries = 0; ; tries++) {
    const ok = await fetch(`${direct}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (tries > 300 || api.exitCode !== null) throw new Error("the API did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const apiCalls = await startCountingProxy(apiPort);
  return {
    apiUrl: apiCalls.url,
    api: createApiClient(direct),
    apiCalls,
    storage,
    async stop() {
      await Promise.all([apiCalls.close(), storage.close()]);
      api.kill("SIGTERM");
      await new Promise((resolve) => (api.exitCode === null ? api.once("exit", resolve) : resolve(null)));
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built command; `done` settles when it exits. */
export function startCli(args: readonly string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, STUDY_UPLOADER_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stderr };
}

export const runCli = (args: readonly string[], env: Record<string, string> = {}) => startCli(args, env).done;

export interface ImageFile {
  name: string;
  path: string;
  md5: string;
}

export const md5Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64");

/** A fresh folder of `count` PNGs of about `bytes` each, random past their heads (no two alike, none reused). */
export function imageFolder(count: number, bytes = 64 * 1024, name = (i: number) => `image-${i}.png`) {
  const dir = mkdtempSync(path.join(tmpdir(), "cli-images-"));
  const files: ImageFile[] = [];
  for (let i = 1; i <= count; i++) {
    const image = syntheticImage("image/png", bytes);
    const file = path.join(dir, name(i));
    writeFileSync(file, image);
    files.push({ name: name(i), path: file, md5: md5Of(image) });
  }
  return { dir, files, journal: path.join(dir, "..", `${path.basename(dir)}-journal.json`) };
}

/** A file that is no image (or any other content) in `dir`. */
export function writeFileIn(dir: string, name: string, content: string | Uint8Array = randomBytes(64)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

/** The batch index of each upload PUT the proxy saw, in order (upload blobs are named `<batch>/<index>`). */
export const putIndexes = (proxy: CountingProxy, from = 0) =>
  proxy.seen.slice(from).flatMap((r) => {
    const index = r.method === "PUT" ? /\/study-images\/[^/]+\/(\d+)\?/.exec(r.path)?.[1] : undefined;
    return index === undefined ? [] : [Number(index)];
  });
