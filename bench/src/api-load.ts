import autocannon from "autocannon";
import { MIB } from "./bench-plan.js";
import { accessTokenFor, newBenchUser } from "./bench-users.js";
import { drainOutput, spawnBenchScript, stopChild, waitForOutput } from "./child-processes.js";
import type { ApiLoadResult, LoadSide } from "./report-types.js";

/** The body the web app sends for a 16-file study. */
export function batchRequestBody(files: number, fileBytes = 2 * MIB): string {
  return JSON.stringify({
    files: Array.from({ length: files }, (_, i) => ({
      name: `image-${String(i + 1).padStart(2, "0")}.png`,
      size: fileBytes,
      type: "image/png",
    })),
  });
}

async function hammer(url: string, body: string, connections: number, durationS: number): Promise<LoadSide> {
  const result = await autocannon({
    url: `${url}/api/batches`,
    method: "POST",
    // The bench's APIs require a user (bench-users.ts); one for the whole load, as one researcher's tab would be.
    headers: { "content-type": "application/json", authorization: `Bearer ${accessTokenFor(newBenchUser())}` },
    body,
    connections,
    duration: durationS,
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * Batches per second the API creates for a 16-file study, straight at the process (no shaping), against a bare
 * Hono route returning a similar JSON, in the same run and on the same cores. Each side gets a short warm-up.
 */
export async function measureApiLoad(
  apiUrl: string,
  options: { files: number; connections: number; durationS: number },
): Promise<ApiLoadResult> {
  const body = batchRequestBody(options.files);
  const bare = spawnBenchScript("bare-hono-main.ts", ["--port", "0"]);
  try {
    const [, bareUrl] = await waitForOutput(bare, /^bare hono (http:\/\/\S+)$/m);
    drainOutput(bare);
    const warmUpS = 1;
    await hammer(apiUrl, body, options.connections, warmUpS);
    const api = await hammer(apiUrl, body, options.connections, options.durationS);
    await hammer(bareUrl!, body, options.connections, warmUpS);
    const bareHono = await hammer(bareUrl!, body, options.connections, options.durationS);
    return { files: options.files, connections: options.connections, durationS: options.durationS, api, bareHono };
  } finally {
    await stopChild(bare);
  }
}
