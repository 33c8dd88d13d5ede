/**
 * `pnpm soak`: simulated researchers creating studies against a real API process and Azurite for a while,
 * then a check that no study was lost or duplicated and that the API's memory stayed flat. Not part of CI.
 * Flags: --researchers N (20), --minutes M (5), --fault-rate R (0: storage faults as in the fault soak test).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { BlobServiceClient } from "@azure/storage-blob";
import { createApiClient, listAllStudies, sleep } from "@study-uploader/shared";
import { createNodePutBlob } from "@study-uploader/upload-engine/node";
import { startAzurite } from "../src/azurite.js";
import { NO_RATE_LIMITS_ENV } from "../src/rate-limit-settings.js";
import { FAULTS, startFaultProxy } from "./soak/fault-proxy.js";
import { createStudyLikeTheForm, sourceFiles, type ResearcherOutcome } from "./soak/simulated-researcher.js";

const { values: flags } = parseArgs({
  options: {
    researchers: { type: "string", default: "20" },
    minutes: { type: "string", default: "5" },
    "fault-rate": { type: "string", default: "0" },
  },
});
const researchers = Number(flags.researchers);
const durationMs = Number(flags.minutes) * 60_000;
const faultRate = Number(flags["fault-rate"]);

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main() {
  const azurite = await startAzurite({ port: 0 });
  const proxy = await startFaultProxy({
    upstream: azurite.blobEndpoint,
    pickFault: () => (Math.random() < faultRate ? FAULTS[Math.floor(Math.random() * FAULTS.length)]! : null),
  });
  const port = await freePort();
  // The built API, as `pnpm start` runs it (`pnpm soak` builds it first).
  const api = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PORT: String(port),
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      PUBLIC_BLOB_ENDPOINT: proxy.url,
      ALLOW_ANONYMOUS: "true",
      ...NO_RATE_LIMITS_ENV,
      LOG_LEVEL: "warn",
    },
  });
  const stopAll = async () => {
    api.kill("SIGTERM");
    await proxy.close();
    await azurite.stop();
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

  const apiUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${apiUrl}/api/health`).catch(() => null))?.ok) break;
    if (i > 100) throw new Error("API did not start");
    await sleep(200);
  }

  const rss: { atMs: number; mib: number }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => rss.push({ atMs: Date.now() - started, mib: rssMiB(api.pid!) }), 2_000);
  const outcomes: ResearcherOutcome[] = [];
  const failures: string[] = [];
  const transport = createNodePutBlob();
  const researcher = async () => {
    while (Date.now() - started < durationMs) {
      try {
        outcomes.push(
          await createStudyLikeTheForm({
            apiUrl,
            // Small files: the soak is about the API under concurrency, and Azurite keeps every byte in memory.
            files: sourceFiles(4 + Math.floor(Math.random() * 13), 8 * 1024, 96 * 1024),
            transport,
            concurrency: 6,
            retry: { baseDelayMs: 50, maxDelayMs: 1_000, stallTimeoutMs: 2_000 },
          }),
        );
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const progress = setInterval(
    () => process.stdout.write(`  ${Math.round((Date.now() - started) / 1000)} s: ${outcomes.length} studies\n`),
    15_000,
  );
  await Promise.all(Array.from({ length: researchers }, researcher));
  clearInterval(progress);
  clearInterval(sampler);

  const storage = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const listed = await listAllStudies(createApiClient(apiUrl));
  const ids = outcomes.map((o) => o.study.id);
  let corrupt = 0;
  let checked = 0;
  const checks = outcomes.flatMap((outcome) => outcome.study.elements.map((element) => ({ outcome, element })));
  process.stdout.write(`  checking ${checks.length} stored images against their sources\n`);
  const checker = async () => {
    for (let check = checks.pop(); check; check = checks.pop()) {
      const [, , container, ...blob] = new URL(check.element.url).pathname.split("/");
      const bytes = await storage.getContainerClient(container!).getBlobClient(blob.join("/")).downloadToBuffer();
      if (createHash("md5").update(bytes).digest("base64") !== check.outcome.files[check.element.index]!.md5) corrupt++;
      checked++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, checker));
  const firstMinute = rss.filter((s) => s.atMs < 60_000).map((s) => s.mib);
  const lastMinute = rss.filter((s) => s.atMs >= durationMs - 60_000).map((s) => s.mib);
  const report = {
    researchers,
    minutes: durationMs / 60_000,
    faultRate,
    studiesCommitted: outcomes.length,
    studiesListed: listed.length,
    duplicates: ids.length - new Set(ids).size,
    lost: outcomes.filter((o) => !listed.some((s) => s.id === o.study.id)).length,
    incompleteStudies: outcomes.filter((o) => o.study.elements.length !== o.files.length).length,
    blobsChecked: checked,
    corruptBlobs: corrupt,
    researcherErrors: failures.length,
    apiRssMiB: {
      firstMinuteMedian: +median(firstMinute).toFixed(1),
      lastMinuteMedian: +median(lastMinute).toFixed(1),
      max: +Math.max(...rss.map((s) => s.mib)).toFixed(1),
    },
    faults: proxy.counts,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (failures.length > 0) process.stdout.write(`first researcher error: ${failures[0]}\n`);
  await stopAll();
  const ok =
    report.duplicates === 0 &&
    report.lost === 0 &&
    report.corruptBlobs === 0 &&
    report.incompleteStudies === 0 &&
    listed.length === outcomes.length;
  process.stdout.write(ok ? "soak: no study lost, duplicated or corrupted\n" : "soak: FAILED\n");
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
