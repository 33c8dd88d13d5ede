import { createHash, randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import busboy from "busboy";
import { errorMessage } from "@study-uploader/shared";
import { RELAY_UPLOAD_PAGE } from "./relay-page.js";
import { listen } from "./listen.js";

/*
 * The OLD design, kept only as a baseline: the browser posts every file in one multipart request to this server,
 * which holds each file in memory and uploads it to storage itself. It reaches storage directly (unshaped), as a
 * server in the storage's region would. Each file is uploaded as soon as it has fully arrived, by at most
 * `uploadWorkers` Put Blob calls at a time (12, as the old design did); this is the kindest reading of it.
 */

export interface RelayServerOptions {
  connectionString: string;
  /** Pages allowed to post here, e.g. the API's origin that serves the web app. */
  corsOrigins: string[];
  containerName?: string;
  uploadWorkers?: number;
  maxFiles?: number;
  maxFileBytes?: number;
  port?: number;
  host?: string;
}

export interface RelayedFile {
  index: number;
  name: string;
  type: string;
  size: number;
  /** Base64, as storage reports it. */
  md5: string;
  blobName: string;
}

/** Work the relay did for one study; CPU is the whole process's during the request, so run studies one at a time. */
export interface RelayStudyReport {
  studyId: string;
  title: string;
  files: RelayedFile[];
  bytesReceived: number;
  timing: {
    /** Until the last byte of the multipart body arrived. */
    receiveMs: number;
    /** From then until the last blob was stored: what the relay adds after the browser has sent everything. */
    uploadTailMs: number;
    totalMs: number;
  };
  cpu: { userMicros: number; systemMicros: number };
}

export interface RelayStats {
  studies: number;
  failedStudies: number;
  bytesReceived: number;
  bytesUploaded: number;
  cpu: { userMicros: number; systemMicros: number };
}

export interface RelayServer {
  url: string;
  port: number;
  stats(): RelayStats;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

class RelayError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A minimal FIFO limiter: at most `concurrency` tasks run at once. */
function createWorkerPool(concurrency: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const maxFiles = options.maxFiles ?? 16;
  const maxFileBytes = options.maxFileBytes ?? 16 * MIB;
  const container: ContainerClient = BlobServiceClient.fromConnectionString(
    options.connectionString,
  ).getContainerClient(options.containerName ?? "relay-studies");
  await container.createIfNotExists();
  const runUpload = createWorkerPool(options.uploadWorkers ?? 12);
  const totals = { studies: 0, failedStudies: 0, bytesReceived: 0, bytesUploaded: 0 };
  const cpuAtStart = process.cpuUsage();
  const currentStats = (): RelayStats => {
    const cpu = process.cpuUsage(cpuAtStart);
    return { ...totals, cpu: { userMicros: cpu.user, systemMicros: cpu.system } };
  };

  function setCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin || !options.corsOrigins.includes(origin)) return;
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "origin");
  }

  function receiveStudy(req: IncomingMessage): Promise<RelayStudyReport> {
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    const studyId = randomUUID();
    return new Promise((resolve, reject) => {
      let title = "";
      let bytesReceived = 0;
      let failure: RelayError | undefined;
      const uploads: Array<Promise<RelayedFile>> = [];
      const fail = (error: RelayError) => {
        failure ??= error;
      };

      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: req.headers, limits: { files: maxFiles, fileSize: maxFileBytes, fields: 4 } });
      } catch (error) {
        reject(new RelayError(400, error instanceof Error ? error.message : "not multipart"));
        return;
      }
      parser.on("field", (name, value) => {
        if (name === "title") title = value;
      });
      parser.on("file", (field, stream, info) => {
        const index = uploads.length;
        const md5 = createHash("md5");
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => {
          md5.update(chunk);
          chunks.push(chunk);
        });
        stream.on("limit", () => fail(new RelayError(413, `${info.filename} is larger than ${maxFileBytes} bytes`)));
        const upload = new Promise<Buffer>((fileReceived, fileFailed) => {
          stream.on("end", () => fileReceived(Buffer.concat(chunks)));
          stream.on("error", fileFailed);
        }).then((body) => {
          if (field !== "files") throw new RelayError(400, `unexpected file field "${field}"`);
          if (failure) throw failure;
          const blobName = `${studyId}/${index}`;
          const contentMd5 = md5.digest();
          return runUpload(async () => {
            // Content-MD5 makes storage check the bytes, as the browser's direct upload does.
            const stored = await container.getBlockBlobClient(blobName).upload(body, body.length, {
              transactionalContentMD5: contentMd5,
              blobHTTPHeaders: { blobContentType: info.mimeType },
            });
            totals.bytesUploaded += body.length;
            return {
              index,
              name: info.filename ?? "",
              type: info.mimeType,
              size: body.length,
              md5: Buffer.from(stored.contentMD5 ?? contentMd5).toString("base64"),
              blobName,
            };
          });
        });
        // Settled by Promise.all once the body has been read; until then a failure must not count as unhandled.
        upload.catch(() => {});
        uploads.push(upload);
      });
      parser.on("filesLimit", () => fail(new RelayError(413, `more than ${maxFiles} files`)));
      parser.on("error", (error: Error) => reject(new RelayError(400, error.message)));
      parser.on("close", () => {
        const receivedAt = performance.now();
        void Promise.all(uploads).then(
          (files) => {
            if (failure) return reject(failure);
            if (files.length === 0) return reject(new RelayError(400, "no files"));
            const cpu = process.cpuUsage(cpuBefore);
            resolve({
              studyId,
              title,
              files,
              bytesReceived,
              timing: {
                receiveMs: receivedAt - startedAt,
                uploadTailMs: performance.now() - receivedAt,
                totalMs: performance.now() - startedAt,
              },
              cpu: { userMicros: cpu.user, systemMicros: cpu.system },
            });
          },
          (error: unknown) => reject(failure ?? (error instanceof Error ? error : new Error(String(error)))),
        );
      });
      req.on("data", (chunk: Buffer) => {
        bytesReceived += chunk.length;
        totals.bytesReceived += chunk.length;
      });
      req.pipe(parser);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCors(req, res);
    const path = new URL(req.url ?? "/", "http://relay").pathname;
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    if (req.method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(RELAY_UPLOAD_PAGE);
      return;
    }
    if (req.method === "GET" && path === "/relay/stats") {
      sendJson(res, 200, currentStats());
      return;
    }
    if (req.method === "POST" && path === "/relay/studies") {
      try {
        const report = await receiveStudy(req);
        totals.studies += 1;
        sendJson(res, 201, report);
      } catch (error) {
        totals.failedStudies += 1;
        const status = error instanceof RelayError ? error.status : 502;
        sendJson(res, status, {
          error: status === 502 ? "storage_failed" : "bad_request",
          message: errorMessage(error),
        });
        // The rest of a rejected body is not worth reading.
        if (!req.complete) res.once("finish", () => req.destroy());
      }
      return;
    }
    sendJson(res, 404, { error: "not_found" });
  }

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => void handle(req, res));
  server.keepAliveTimeout = 60_000;
  const { url, port } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    stats: currentStats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
