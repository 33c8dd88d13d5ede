import http from "node:http";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { NETWORK_PROFILES, formatBitsPerSecond, networkProfile, type NetworkProfile } from "./network-profiles.js";
import { startShapingProxy } from "./shaping-proxy.js";
import { startSinkServer } from "./sink-server.js";
import { timedRequest } from "./timed-request.js";

/**
 * Measures what the shaping proxy delivers for each profile against a sink that answers at once:
 * RTT from small requests on a warm connection and on new ones, throughput from one large PUT and from
 * parallel PUTs, each with the measured RTT taken out. Prints asked next to delivered.
 */
const { values } = parseArgs({
  options: {
    profile: { type: "string", multiple: true },
    "single-mib": { type: "string", default: "8" },
    parallel: { type: "string", default: "6" },
    "parallel-mib": { type: "string", default: "2" },
    "rtt-samples": { type: "string", default: "10" },
    "per-connection-mbit": { type: "string" },
    "slow-start": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

const MIB = 1024 * 1024;
const singleBytes = Number(values["single-mib"]) * MIB;
const parallel = Number(values.parallel);
const parallelBytes = Number(values["parallel-mib"]) * MIB;
const rttSamples = Number(values["rtt-samples"]);
const perConnectionMbit = values["per-connection-mbit"];
const profiles = (values.profile ?? Object.keys(NETWORK_PROFILES)).map(networkProfile);

interface Calibration {
  profile: string;
  askedRttMs: number;
  keepAliveRttMs: number;
  newConnectionMs: number;
  askedBitsPerSecond: number;
  singlePutMs: number;
  singlePutBitsPerSecond: number;
  parallelPutMs: number;
  parallelPutBitsPerSecond: number;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Throughput with the request's one RTT taken out, so it compares with the asked bandwidth. */
function throughput(bytes: number, elapsedMs: number, rttMs: number): number {
  return (bytes * 8) / ((elapsedMs - rttMs) / 1000);
}

async function calibrate(profile: NetworkProfile, sinkUrl: string): Promise<Calibration> {
  const proxy = await startShapingProxy({
    upstream: sinkUrl,
    rttMs: profile.rttMs,
    uploadBitsPerSecond: profile.uploadBitsPerSecond,
    perConnectionBitsPerSecond: perConnectionMbit ? Number(perConnectionMbit) * 1_000_000 : undefined,
    slowStart: values["slow-start"],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  try {
    // Open all connections first so the handshake is not in the throughput numbers.
    await Promise.all(Array.from({ length: parallel }, () => timedRequest(`${proxy.url}/bytes/0`, { agent })));

    const keepAlive: number[] = [];
    for (let i = 0; i < rttSamples; i += 1) keepAlive.push((await timedRequest(`${proxy.url}/bytes/0`, { agent })).elapsedMs);
    const newConnection: number[] = [];
    for (let i = 0; i < 3; i += 1) newConnection.push((await timedRequest(`${proxy.url}/bytes/0`, { agent: false })).elapsedMs);
    const keepAliveRttMs = median(keepAlive);

    const single = await timedRequest(`${proxy.url}/single`, { method: "PUT", body: randomBytes(singleBytes), agent });
    const bodies = Array.from({ length: parallel }, () => randomBytes(parallelBytes));
    const startedAt = performance.now();
    await Promise.all(bodies.map((body, i) => timedRequest(`${proxy.url}/parallel/${i}`, { method: "PUT", body, agent })));
    const parallelPutMs = performance.now() - startedAt;

    return {
      profile: profile.name,
      askedRttMs: profile.rttMs,
      keepAliveRttMs,
      newConnectionMs: median(newConnection),
      askedBitsPerSecond: profile.uploadBitsPerSecond,
      singlePutMs: single.elapsedMs,
      singlePutBitsPerSecond: throughput(singleBytes, single.elapsedMs, keepAliveRttMs),
      parallelPutMs,
      parallelPutBitsPerSecond: throughput(parallel * parallelBytes, parallelPutMs, keepAliveRttMs),
    };
  } finally {
    agent.destroy();
    await proxy.close();
  }
}

function describeThroughput(delivered: number, asked: number): string {
  const mbit = `${(delivered / 1e6).toFixed(1)} Mbit/s`;
  return Number.isFinite(asked) ? `${mbit} (${((delivered / asked) * 100).toFixed(1)}%)` : mbit;
}

const sink = await startSinkServer();
const results: Calibration[] = [];
try {
  for (const profile of profiles) results.push(await calibrate(profile, sink.url));
} finally {
  await sink.close();
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const rows = results.map((r) => ({
    profile: r.profile,
    "RTT asked": `${r.askedRttMs} ms`,
    "RTT (keep-alive)": `${r.keepAliveRttMs.toFixed(1)} ms`,
    "new connection": `${r.newConnectionMs.toFixed(1)} ms`,
    "upload asked": formatBitsPerSecond(r.askedBitsPerSecond),
    [`1×${values["single-mib"]} MiB PUT`]: `${describeThroughput(r.singlePutBitsPerSecond, r.askedBitsPerSecond)} in ${r.singlePutMs.toFixed(0)} ms`,
    [`${parallel}×${values["parallel-mib"]} MiB PUT`]: `${describeThroughput(r.parallelPutBitsPerSecond, r.askedBitsPerSecond)} in ${r.parallelPutMs.toFixed(0)} ms`,
  }));
  console.table(rows);
  process.stdout.write(
    `Throughput = bytes ÷ (elapsed − keep-alive RTT). A new connection costs ${values["slow-start"] ? "a handshake RTT plus slow start" : "one handshake RTT"} on top.\n`,
  );
}
