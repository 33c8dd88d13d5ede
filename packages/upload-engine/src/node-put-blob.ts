import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { BlobTransport, PutBlobOutcome } from "./blob-transport.js";

/**
 * The engine's transport for Node (soak and fault tests): one streamed PUT per attempt, progress counted as the
 * body is handed to the socket, the same outcomes as the browser's XHR transport. Never rejects.
 */
export function createNodePutBlob(agent?: http.Agent): BlobTransport {
  return (request) =>
    new Promise<PutBlobOutcome>((resolve) => {
      if (request.signal.aborted) return resolve({ kind: "aborted" });
      const url = new URL(request.url);
      const send = url.protocol === "https:" ? https.request : http.request;
      let settled = false;
      const settle = (outcome: PutBlobOutcome) => {
        if (settled) return;
        settled = true;
        request.signal.removeEventListener("abort", abort);
        resolve(outcome);
      };
      const req = send(url, {
        method: "PUT",
        agent,
        headers: { ...request.headers, "content-length": String(request.body.size) },
      });
      const abort = () => {
        req.destroy();
        settle({ kind: "aborted" });
      };
      request.signal.addEventListener("abort", abort, { once: true });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () =>
          settle({
            kind: "response",
            status: res.statusCode ?? 0,
            errorCode: (res.headers["x-ms-error-code"] as string | undefined) ?? null,
          }),
        );
        res.on("error", () => settle({ kind: "network-error" }));
      });
      req.on("error", () => settle({ kind: "network-error" }));

      let sent = 0;
      const body = Readable.fromWeb(request.body.stream() as NodeReadableStream<Uint8Array>);
      body.on("data", (chunk: Uint8Array) => {
        sent += chunk.byteLength;
        request.onProgress(sent);
      });
      body.on("error", () => {
        req.destroy();
        settle({ kind: "network-error" });
      });
      body.pipe(req);
    });
}
