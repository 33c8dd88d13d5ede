import { createHash } from "node:crypto";
import http from "node:http";
import { listen } from "./listen.js";

/** What the sink saw of one request body. */
export interface SinkReceipt {
  method: string;
  path: string;
  bytes: number;
  sha256: string;
}

export interface SinkServer {
  url: string;
  close(): Promise<void>;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = req.url ?? "/";
  const download = /^\/bytes\/(\d+)$/.exec(path);
  if (req.method === "GET" && download) {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(Buffer.alloc(Number(download[1])));
    return;
  }
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const receipt: SinkReceipt = { method: req.method ?? "", path, bytes, sha256: hash.digest("hex") };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(receipt));
}

/**
 * A trivial upstream for calibration and tests: it reads any body and answers with its length and SHA-256;
 * `GET /bytes/N` answers N zero bytes. It answers at once, so everything slower is the proxy's doing.
 */
export async function startSinkServer(): Promise<SinkServer> {
  const server = http.createServer((req, res) => void answer(req, res));
  server.keepAliveTimeout = 60_000;
  const { port } = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
