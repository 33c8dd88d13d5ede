/**
 * API CPU of one study commit (`POST /api/studies`), measured in-process: Azurite runs as a child process (its CPU
 * is not counted), uploads are done beforehand through the SAS URLs, and only the commit request is timed (the
 * batch request beside it, for the per-study total).
 *
 *   tsx scripts/profile-commit.ts [--files 16] [--sizes 256K,2M] [--runs 25] [--warmup 5]
 *     [--baseline /path/to/other/src] [--cpu-prof | --http]
 *
 * With --baseline, the app built from that copy of `src` commits too, interleaved with this one (A/B in one
 * run, so machine noise hits both alike). With --cpu-prof, each measured commit (only the commit) is profiled
 * and its samples are summed by where they are spent: which package, Node internals, GC, our code. With --http,
 * each API runs as its own process (`src/main.ts`, logging at info) and only that process's CPU is counted, as a
 * benchmark would see it: the HTTP server and the request log included.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { sleep } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import type * as AppModule from "../src/app.js";
import { startAzurite } from "../src/azurite.js";
import type * as ConfigModule from "../src/config.js";
import type * as EnvModule from "../src/env.js";
import type * as LoggerModule from "../src/logger.js";
import { NO_RATE_LIMITS_ENV } from "../src/rate-limit-settings.js";
import type * as StorageModule from "../src/storage/blob-storage.js";
import type * as SetupModule from "../src/storage/setup-storage.js";
import { ProfileTotals } from "./cpu-profile-totals.js";

const { values: flags } = parseArgs({
  options: {
    files: { type: "string", default: "16" },
    sizes: { type: "string", default: "256K,2M" },
    runs: { type: "string", default: "25" },
    warmup: { type: "string", default: "5" },
    baseline: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    http: { type: "boolean", default: false },
  },
});

const fileCount = Number(flags.files);
const runs = Number(flags.runs);
const warmup = Number(flags.warmup);
const sizes = flags.sizes.split(",").map((s) => {
  const match = /^(\d+)([KM]?)$/i.exec(s.trim());
  if (!match) throw new Error(`size ${s}: expected e.g. 256K or 2M`);
  const unit = match[2]?.toUpperCase();
  return Number(match[1]) * (unit === "M" ? 1 << 20 : unit === "K" ? 1 << 10 : 1);
});
const session = flags["cpu-prof"] ? new Session() : undefined;

/** The API under test, and the CPU (ms) its process has used so far. */
interface App {
  request(url: string, init?: RequestInit): Response | Promise<Response>;
  cpuMs(): number;
  stop(): Promise<void>;
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU time of every thread of a process (GC and I/O threads too), in ms, at nanosecond resolution. */
function processCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
  }
  return ns / 1e6;
}

/**
 * The API as its own process (`src/main.ts` of that copy), over HTTP, logging at info as it does by default: what
 * a benchmark sees of it. Only its process's CPU is counted.
 */
async function startApiProcess(srcDir: string, connectionString: string): Promise<App> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(srcDir, "main.ts")], {
    cwd: import.meta.dirname,
    env: {
      ...process.env,
      PORT: "0",
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      STORAGE_CONTAINER_PREFIX: `p${randomBytes(4).toString("hex")}-`,
      ...NO_RATE_LIMITS_ENV,
      LOG_LEVEL: "info",
      // Azurite on a connection string looks like a real account to main.ts: open on purpose.
      ALLOW_ANONYMOUS: "true",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve(match[1]!);
      if (output.length > 100_000) output = output.slice(-1000);
    });
    child.once("exit", (code) => reject(new Error(`API exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    request: (url, init) => fetch(url.replace("http://localhost", origin), init),
    cpuMs: () => processCpuMs(child.pid!),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The app from a copy of `src` (this one's, or a baseline's), silent, in containers of its own. */
async function buildApp(srcDir: string, connectionString: string): Promise<App> {
  const load = (file: string) => import(pathToFileURL(path.join(srcDir, file)).href);
  const [{ createApp }, { apiConfigFromEnv }, { parseEnv }, { createLogger }, { BlobStorage }, { setupStorage }] =
    (await Promise.all([
      load("app.ts"),
      load("config.ts"),
      load("env.ts"),
      load("logger.ts"),
      load("storage/blob-storage.ts"),
      load("storage/setup-storage.ts"),
    ])) as [
      typeof AppModule,
      typeof ConfigModule,
      typeof EnvModule,
      typeof LoggerModule,
      typeof StorageModule,
      typeof SetupModule,
    ];
  const storage = new BlobStorage({ connectionString, containerPrefix: `p${randomBytes(4).toString("hex")}-` });
  // Through the environment, which a baseline's copy of `src` reads the same way whatever its config's shape.
  const config = apiConfigFromEnv(parseEnv(NO_RATE_LIMITS_ENV));
  const logger = createLogger("silent");
  await setupStorage(storage.account, config, { configureCors: false }, logger);
  const app = createApp({ storage, config, logger });
  return { request: (url, init) => app.request(url, init), cpuMs: ownCpuMs, stop: async () => undefined };
}

interface SourceFile {
  name: string;
  bytes: Uint8Array;
  md5: string;
}

function sourceFiles(size: number): SourceFile[] {
  return Array.from({ length: fileCount }, (_, i) => {
    const bytes = syntheticImage("image/png", size);
    return { name: `scan-${i}.png`, bytes, md5: createHash("md5").update(bytes).digest("base64") };
  });
}

const postJson = (app: App, url: string, body: unknown) =>
  app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Lets the last uploads' callbacks run before a clock starts. */
const settle = () => sleep(5);

/** The API's CPU in ms spent while `work` runs (in-process: nothing else runs in this process meanwhile). */
async function cpuOf<T>(app: App, work: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const cpu = app.cpuMs();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  return { value, cpuMs: app.cpuMs() - cpu, wallMs };
}

/** A batch with every file uploaded as the browser does it; the commit's body and the batch request's CPU. */
async function stagedStudy(app: App, files: SourceFile[]) {
  await settle();
  const { value: res, cpuMs } = await cpuOf(app, async () =>
    postJson(app, "http://localhost/api/batches", {
      files: files.map((f) => ({ name: f.name, size: f.bytes.length, type: "image/png" })),
    }),
  );
  if (res.status !== 201) throw new Error(`batch: ${res.status} ${await res.text()}`);
  const batch = (await res.json()) as {
    batchId: string;
    files: { index: number; uploadUrl: string; headers: Record<string, string> }[];
  };
  await Promise.all(
    batch.files.map(async (t) => {
      const file = files[t.index]!;
      const put = await fetch(t.uploadUrl, {
        method: "PUT",
        headers: { ...t.headers, "content-md5": file.md5 },
        body: file.bytes,
      });
      if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
    }),
  );
  const body = {
    batchId: batch.batchId,
    title: "A profiled study",
    elements: files.map((f, index) => ({ index, label: f.name, md5: f.md5 })),
  };
  return { body, batchCpuMs: cpuMs };
}

interface Sample {
  cpuMs: number;
  wallMs: number;
  batchCpuMs: number;
}

/** One commit request, measured (and profiled, when asked); it must create the study. */
async function timedCommit(app: App, body: unknown, profile?: ProfileTotals) {
  await settle();
  if (profile) await session!.post("Profiler.start");
  const {
    value: res,
    cpuMs,
    wallMs,
  } = await cpuOf(app, async () => postJson(app, "http://localhost/api/studies", body));
  if (profile) profile.add((await session!.post("Profiler.stop")).profile);
  if (res.status !== 201) throw new Error(`commit: ${res.status} ${await res.text()}`);
  return { cpuMs, wallMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const ms = (x: number) => x.toFixed(1);

if (flags.http && session) throw new Error("--cpu-prof profiles the in-process API only; drop --http");
const azurite = await startAzurite({ port: 0 });
const variants: { label: string; app: App }[] = [];
try {
  const start = flags.http ? startApiProcess : buildApp;
  if (flags.baseline) {
    variants.push({ label: "baseline", app: await start(path.resolve(flags.baseline), azurite.connectionString) });
  }
  const ownSrc = path.resolve(import.meta.dirname, "../src");
  variants.push({ label: "this tree", app: await start(ownSrc, azurite.connectionString) });
  session?.connect();
  await session?.post("Profiler.enable");
  await session?.post("Profiler.setSamplingInterval", { interval: 100 });

  for (const size of sizes) {
    const files = sourceFiles(size);
    const samples = variants.map(() => [] as Sample[]);
    const profiles = variants.map(() => new ProfileTotals());
    for (let round = 0; round < warmup + runs; round++) {
      // Alternating which goes first, so that neither always follows the other's uploads.
      const order = [...variants.keys()];
      if (round % 2) order.reverse();
      // One after the other: the batch requests' CPU is measured too.
      const staged: Awaited<ReturnType<typeof stagedStudy>>[] = [];
      for (const i of order) staged[i] = await stagedStudy(variants[i]!.app, files);
      const measured = round >= warmup;
      for (const i of order) {
        const profile = measured && session ? profiles[i] : undefined;
        const commit = await timedCommit(variants[i]!.app, staged[i]!.body, profile);
        if (measured) samples[i]!.push({ ...commit, batchCpuMs: staged[i]!.batchCpuMs });
      }
    }
    const sizeLabel = size >= 1 << 20 ? `${size >> 20} MiB` : `${size >> 10} KiB`;
    variants.forEach(({ label }, i) => {
      const s = samples[i]!;
      const cpu = s.map((x) => x.cpuMs);
      console.warn(
        `${fileCount} × ${sizeLabel}, ${label}${flags.http ? " (own process, HTTP)" : ""}: ` +
          `commit CPU median ${ms(median(cpu))} ms (p25 ${ms(quantile(cpu, 0.25))}, p75 ${ms(quantile(cpu, 0.75))}), ` +
          `wall ${ms(median(s.map((x) => x.wallMs)))} ms; batch request ${ms(median(s.map((x) => x.batchCpuMs)))} ms; ` +
          `batch + commit ${ms(median(s.map((x) => x.batchCpuMs + x.cpuMs)))} ms; ${s.length} studies` +
          (session ? " (profiled: CPU includes the profiler's overhead)" : ""),
      );
      if (session) profiles[i]!.report(`${label}, ${sizeLabel}`);
    });
  }
  session?.disconnect();
} finally {
  for (const { app } of variants) await app.stop();
  await azurite.stop();
}
