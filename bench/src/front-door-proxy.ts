import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import type { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  FlowWindow,
  createSharedLink,
  openConnection,
  type ConnectionModel,
  type ModelledConnection,
  type SharedLink,
} from "./link-model.js";
import { STORAGE_PATH_PREFIX, STORAGE_RESPONSE_HEADERS, storageForwardPath } from "@study-uploader/shared";
import { listen } from "./listen.js";
import {
  emptyStats,
  forwardShaped,
  type ClientRequest,
  type ExchangeObserver,
  type ShapingProxyStats,
} from "./shaping-proxy.js";

/*
 * The gateway: one HTTPS origin in front of everything, as a production front door would be.
 *
 *   Chromium ══TLS, HTTP/2 (one connection, many streams)══▶ front door ──HTTP/1.1 keep-alive──▶ API    (/…)
 *                                                                       ──HTTP/1.1 keep-alive──▶ Azurite (/storage/…, prefix stripped)
 *
 * As the README's Front Door recipe: /storage reaches only the browser's two containers (anything else there is a
 * 404 at the door), and every answer on it carries nosniff and a sandbox CSP (packages/shared storage-path.ts).
 *
 * The page and its uploads share one origin: no CORS preflight, and one HTTP/2 connection instead of two pools of six.
 * Shaping is the shaping proxy's model (forwardShaped) applied per stream: each request head RTT/2 late, body chunks
 * through the shared uplink, the response head RTT/2 late; a new connection pays `handshakeRoundTrips` RTTs
 * (2: TCP + TLS 1.3) once, then every stream on it starts at once.
 *
 * HTTP/2 flow control is modelled as well as sent for real: the front door advertises a stream window
 * (SETTINGS_INITIAL_WINDOW_SIZE) and a connection window (session.setLocalWindowSize), and each body chunk must fit in
 * both before it may cross the modelled uplink; its window comes back one RTT after it left. So one stream carries at
 * most streamWindow ÷ RTT, and the connection at most connectionWindow ÷ RTT, as over a real long link.
 *
 * Not a library: http2-proxy (the well-kept choice) pipes the request body straight into the upstream request, and
 * the model has to time each chunk; header hygiene is proxy-headers.ts, which the HTTP/1.1 proxy uses too.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * Windows big enough that neither caps any profile: the largest bandwidth × RTT here is far's 50 Mbit/s × 150 ms
 * ≈ 0.9 MiB, so one stream can fill every link. Node's defaults (64 KiB each) would cap far at 3.5 Mbit/s for the
 * whole connection.
 */
export const DEFAULT_STREAM_WINDOW_BYTES = 1 * MIB;
export const DEFAULT_CONNECTION_WINDOW_BYTES = 16 * MIB;

export interface TlsCredentials {
  key: string;
  cert: string;
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost (Chromium is told to accept it). */
export function selfSignedCertificate(): TlsCredentials {
  const dir = mkdtempSync(path.join(os.tmpdir(), "front-door-tls-"));
  try {
    const keyPath = path.join(dir, "key.pem");
    const certPath = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        keyPath,
        "-out",
        certPath,
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FrontDoorOptions extends ConnectionModel {
  /** Where everything but /storage goes, e.g. the API's `http://127.0.0.1:3000`. */
  apiOrigin: string;
  /** Where /storage/… goes with the prefix stripped, e.g. Azurite's `http://127.0.0.1:10000`. */
  storageOrigin: string;
  /** The only container paths /storage reaches (`browserContainerPaths`), e.g. `/devstoreaccount1/study-images`. */
  storageContainers: readonly string[];
  /** Shared with other proxies so they compete for one uplink; unshaped when left out. */
  link?: SharedLink;
  /** A self-signed certificate is made when left out. */
  tls?: TlsCredentials;
  streamWindowBytes?: number;
  connectionWindowBytes?: number;
  port?: number;
  host?: string;
  /** Sees every request as it arrives (API's, storage's and refused ones alike); must not read the body. */
  onExchange?: ExchangeObserver;
}

export interface FrontDoorStats {
  /** TLS connections accepted (HTTP/2 sessions and HTTP/1.1 fallbacks). */
  connections: number;
  /** Connections that negotiated h2 through ALPN. */
  http2Sessions: number;
  api: ShapingProxyStats;
  storage: ShapingProxyStats;
}

export interface FrontDoor {
  /** `https://127.0.0.1:PORT`: the one origin the browser sees. */
  url: string;
  port: number;
  stats: FrontDoorStats;
  streamWindowBytes: number;
  connectionWindowBytes: number;
  /** Switches to another link without changing the port; requests under way finish on the old one. */
  setLink(link: SharedLink): void;
  close(): Promise<void>;
}

interface Route {
  upstream: URL;
  agent: http.Agent;
  stats: ShapingProxyStats;
}

/**
 * `/storage/<container path>/<blob>?q` → storage at `/<container path>/<blob>?q` when storageForwardPath allows
 * it, anything else on /storage is refused; every other path is the API's, unchanged.
 */
export function routeFor(
  method: string,
  requestPath: string,
  storageContainers: readonly string[],
): { to: "api" | "storage"; path: string } | { to: "refused" } {
  if (requestPath !== STORAGE_PATH_PREFIX && !/^\/storage[/?]/.test(requestPath))
    return { to: "api", path: requestPath };
  const path = storageForwardPath(method, requestPath, storageContainers);
  return path === null ? { to: "refused" } : { to: "storage", path };
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  let link = options.link ?? createSharedLink({ rttMs: 0, uploadBitsPerSecond: Number.POSITIVE_INFINITY });
  const model: ConnectionModel = { handshakeRoundTrips: 2, ...options };
  const streamWindowBytes = options.streamWindowBytes ?? DEFAULT_STREAM_WINDOW_BYTES;
  const connectionWindowBytes = options.connectionWindowBytes ?? DEFAULT_CONNECTION_WINDOW_BYTES;
  const tls = options.tls ?? selfSignedCertificate();
  const routes: Record<"api" | "storage", Route> = {
    api: { upstream: new URL(options.apiOrigin), agent: new http.Agent({ keepAlive: true }), stats: emptyStats() },
    storage: {
      upstream: new URL(options.storageOrigin),
      agent: new http.Agent({ keepAlive: true }),
      stats: emptyStats(),
    },
  };
  const stats: FrontDoorStats = {
    connections: 0,
    http2Sessions: 0,
    api: routes.api.stats,
    storage: routes.storage.stats,
  };
  const sessions = new WeakMap<Http2Session, { connection: ModelledConnection; window: FlowWindow }>();
  const http1Connections = new WeakMap<Socket, ModelledConnection>();

  const server = http2.createSecureServer({
    ...tls,
    allowHTTP1: true,
    settings: { initialWindowSize: streamWindowBytes },
  });
  // Kept to close them all at once: server.close() alone waits for idle HTTP/2 sessions to go away.
  const openSessions = new Set<Http2Session>();
  const openSockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    openSockets.add(socket);
    socket.once("close", () => openSockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => {
    stats.connections += 1;
    http1Connections.set(socket, openConnection(link, model));
  });
  server.on("session", (session: Http2Session) => {
    stats.http2Sessions += 1;
    openSessions.add(session);
    session.once("close", () => openSessions.delete(session));
    // The connection window is not a SETTING: the receiver raises it with a WINDOW_UPDATE on stream 0.
    session.setLocalWindowSize(connectionWindowBytes);
    sessions.set(session, {
      connection: openConnection(link, model),
      window: new FlowWindow(connectionWindowBytes),
    });
  });

  const modelFor = (req: ClientRequest) => {
    if ("stream" in req) {
      const session = sessions.get(req.stream.session!);
      if (session)
        return {
          link,
          connection: session.connection,
          flowWindows: [new FlowWindow(streamWindowBytes), session.window],
        };
    }
    return { link, connection: http1Connections.get(req.socket) ?? openConnection(link, model) };
  };

  server.on("request", (req: Http2ServerRequest, res: Http2ServerResponse) => {
    options.onExchange?.(req, res);
    const target = routeFor(req.method, req.url, options.storageContainers);
    if (target.to === "refused") {
      req.resume();
      res.writeHead(404, STORAGE_RESPONSE_HEADERS).end();
      return;
    }
    const route = routes[target.to];
    const prefix = route.upstream.pathname.replace(/\/$/, "");
    void forwardShaped(
      req,
      res,
      {
        upstream: route.upstream,
        agent: route.agent,
        path: `${prefix}${target.path}`,
        responseHeaders: target.to === "storage" ? STORAGE_RESPONSE_HEADERS : {},
      },
      modelFor(req),
      route.stats,
    );
  });

  const { url, port } = await listen(server, options.port, options.host, "https");

  return {
    url,
    port,
    stats,
    streamWindowBytes,
    connectionWindowBytes,
    setLink: (next) => {
      link = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of openSessions) session.destroy();
        for (const socket of openSockets) socket.destroy();
        routes.api.agent.destroy();
        routes.storage.agent.destroy();
      }),
  };
}
