import http from "node:http";
import { now } from "./link-model.js";

export interface TimedResponse {
  status: number;
  body: Buffer;
  /** From the first byte written to the last byte of the response read, in ms. */
  elapsedMs: number;
}

/** One HTTP/1.1 request with node:http, timed end to end; the agent decides whether a connection is reused. */
export function timedRequest(
  url: string,
  options: { method?: string; body?: Buffer; agent?: http.Agent | false; headers?: http.OutgoingHttpHeaders } = {},
): Promise<TimedResponse> {
  const startedAt = now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? "GET", agent: options.agent, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), elapsedMs: now() - startedAt }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
