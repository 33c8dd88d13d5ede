import http from "node:http";
import { randomBytes } from "node:crypto";
import type { NetworkProfile } from "./network-profiles.js";
import { now } from "./link-model.js";
import { startShapingProxy } from "./shaping-proxy.js";
import { median } from "./statistics.js";
import { timedRequest } from "./timed-request.js";

export interface CalibrationOptions {
  singleBytes: number;
  parallel: number;
  parallelBytes: number;
  rttSamples: number;
  perConnectionBitsPerSecond?: number;
  slowStart?: boolean;
}

/** What the shaping proxy delivered for one profile, next to what was asked. */
export interface ProxyCalibration {
  profile: string;
  askedRttMs: number;
  keepAliveRttMs: number;
  newConnectionMs: number;
  askedBitsPerSecond: number;
  singleBytes: number;
  singlePutMs: number;
  singlePutBitsPerSecond: number;
  parallel: number;
  parallelBytes: number;
  parallelPutMs: number;
  parallelPutBitsPerSecond: number;
}

/** Throughput with the request's one RTT taken out, so it compares with the asked bandwidth. */
function throughput(bytes: number, elapsedMs: number, rttMs: number): number {
  return (bytes * 8) / ((elapsedMs - rttMs) / 1000);
}

/**
 * Measures a proxy of this profile against a sink that answers at once: RTT from small requests on a warm
 * connection and on new ones, throughput from one large PUT and from parallel PUTs, each with the RTT taken out.
 */
export async function calibrateProxy(
  profile: NetworkProfile,
  sinkUrl: string,
  options: CalibrationOptions,
): Promise<ProxyCalibration> {
  const { singleBytes, parallel, parallelBytes } = options;
  const proxy = await startShapingProxy({
    upstream: sinkUrl,
    rttMs: profile.rttMs,
    uploadBitsPerSecond: profile.uploadBitsPerSecond,
    lossRate: profile.lossRate,
    perConnectionBitsPerSecond: options.perConnectionBitsPerSecond,
    slowStart: options.slowStart,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  try {
    // Open all connections first so the handshake is not in the throughput numbers.
    await Promise.all(Array.from({ length: parallel }, () => timedRequest(`${proxy.url}/bytes/0`, { agent })));

    const keepAlive: number[] = [];
    for (let i = 0; i < options.rttSamples; i += 1)
      keepAlive.push((await timedRequest(`${proxy.url}/bytes/0`, { agent })).elapsedMs);
    const newConnection: number[] = [];
    for (let i = 0; i < 3; i += 1)
      newConnection.push((await timedRequest(`${proxy.url}/bytes/0`, { agent: false })).elapsedMs);
    const keepAliveRttMs = median(keepAlive);

    const single = await timedRequest(`${proxy.url}/single`, { method: "PUT", body: randomBytes(singleBytes), agent });
    const bodies = Array.from({ length: parallel }, () => randomBytes(parallelBytes));
    const startedAt = now();
    await Promise.all(
      bodies.map((body, i) => timedRequest(`${proxy.url}/parallel/${i}`, { method: "PUT", body, agent })),
    );
    const parallelPutMs = now() - startedAt;

    return {
      profile: profile.name,
      askedRttMs: profile.rttMs,
      keepAliveRttMs,
      newConnectionMs: median(newConnection),
      askedBitsPerSecond: profile.uploadBitsPerSecond,
      singleBytes,
      singlePutMs: single.elapsedMs,
      singlePutBitsPerSecond: throughput(singleBytes, single.elapsedMs, keepAliveRttMs),
      parallel,
      parallelBytes,
      parallelPutMs,
      parallelPutBitsPerSecond: throughput(parallel * parallelBytes, parallelPutMs, keepAliveRttMs),
    };
  } finally {
    agent.destroy();
    await proxy.close();
  }
}

/** "48.7 Mbit/s (97.4%)": delivered, and its share of what was asked when that was finite. */
export function describeThroughput(delivered: number, asked: number): string {
  const mbit = `${(delivered / 1e6).toFixed(1)} Mbit/s`;
  return Number.isFinite(asked) ? `${mbit} (${((delivered / asked) * 100).toFixed(1)}%)` : mbit;
}
