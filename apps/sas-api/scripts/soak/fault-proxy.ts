import http from "node:http";
import type { AddressInfo } from "node:net";

export const FAULTS = ["503", "reset-before", "reset-after", "cut-body", "stall"] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultProxy {
  /** Origin plus account path, ready for PUBLIC_BLOB_ENDPOINT. */
  url: string;
  counts: Record<Fault | "passed", number>;
  close(): Promise<void>;
}

/**
 * A proxy in front of storage that breaks a share of requests the ways networks and storage really fail:
 * a 503, a connection reset before or after storage saw the request, a body cut off halfway, or a stall
 * that never answers. `pickFault` decides per request, by method and (still escaped) path; null lets it through untouched.
 */
export async function startFaultProxy(options: {
  upstream: string;
  pickFault: (request: { method: string; path: string }) => Fault | null;
}): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const agent = new http.Agent({ keepAlive: true });
  const counts: FaultProxy["counts"] = {
    passed: 0,
    "503": 0,
    "reset-before": 0,
    "reset-after": 0,
    "cut-body": 0,
    stall: 0,
  };

  const forward = (req: http.IncomingMessage, onResponse: (res: http.IncomingMessage) => void) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      onResponse,
    );
    out.on("error", () => req.socket.destroy());
    return out;
  };

  const server = http.createServer((req, res) => {
    const fault = options.pickFault({ method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]! });
    counts[fault ?? "passed"]++;
    switch (fault) {
      case "503":
        req.resume();
        req.on("end", () => res.writeHead(503, { "x-ms-error-code": "ServerBusy", "content-length": "0" }).end());
        return;
      case "reset-before":
        req.socket.destroy();
        return;
      case "stall":
        // Read nothing, answer nothing: only the client's own timeout ends this.
        return;
      case "cut-body": {
        const out = forward(req, () => undefined);
        const half = Number(req.headers["content-length"] ?? 0) / 2;
        let sent = 0;
        req.on("data", (chunk: Buffer) => {
          if (sent >= half) return;
          out.write(chunk.subarray(0, Math.max(0, Math.min(chunk.length, half - sent))));
          sent += chunk.length;
          if (sent >= half) {
            out.destroy();
            req.socket.destroy();
          }
        });
        return;
      }
      case "reset-after": {
        // Storage gets the whole request and acts on it; the client never hears back.
        const out = forward(req, (upstreamRes) => {
          upstreamRes.resume();
          upstreamRes.on("end", () => req.socket.destroy());
        });
        req.pipe(out);
        return;
      }
      case null: {
        const out = forward(req, (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        });
        req.pipe(out);
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, "")}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
