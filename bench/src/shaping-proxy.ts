import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import {
  DelayLine,
  createSharedLink,
  type FlowWindow,
  now,
  openConnection,
  sendOverUplink,
  sleepUntil,
  type ConnectionModel,
  type LinkProfile,
  type ModelledConnection,
  type SharedLink,
} from "./link-model.js";
import { listen } from "./listen.js";
import { requestHeadersForUpstream, responseHeadersForClient } from "./proxy-headers.js";

/*
 * Network model (user space, because `tc netem` is not available):
 *
 * The proxy stands for the browser's access link. Each direction of each request is a delay line of RTT/2
 * (propagation), so the request head reaches the upstream RTT/2 after the browser sent it and the response head
 * reaches the browser RTT/2 after the upstream answered. A browser sends the next request on a keep-alive
 * connection only after the previous response, so every request costs exactly one RTT plus its transfer time;
 * a new connection first spends `handshakeRoundTrips` RTTs (TCP's SYN/SYN-ACK; TLS 1.3 would add one more).
 *
 * Request bodies cross the uplink: every chunk books time on one shared BandwidthLimiter (the bottleneck all
 * connections share, first come first served) and optionally on a per-connection one, then enters the delay line.
 * The time a body takes is therefore bytes ÷ bandwidth on top of the RTT, as on a real link; a lone request gets
 * the whole link, six parallel ones get a sixth each. Responses are not bandwidth-limited (downloads here are tiny
 * JSON or XML), only delayed. On a link with loss (or with `slowStart`) each connection also has its own congestion
 * window (congestion-window.ts: slow start, congestion avoidance, a halving and a one-RTT stall per lost round), so
 * one connection gets about MSS / (RTT·√loss) while all of them still share the uplink.
 *
 * Limits: bytes count when the proxy reads them, so a client's own progress (XHR upload.onprogress) runs ahead by
 * what the kernel buffers on loopback (up to a few MiB); completion times are right. Headers are not counted
 * against bandwidth. No jitter; losses are random (never from a full queue), only on the uplink's bodies.
 */

interface ShapingProxyCommonOptions extends ConnectionModel {
  /** Origin (with an optional path prefix) that requests go to, e.g. Azurite's `http://127.0.0.1:10000`. */
  upstream: string;
  port?: number;
  host?: string;
  /** Sees every request as it arrives (before any delay), say to log it; must not read the body. */
  onExchange?: ExchangeObserver;
}

/**
 * Either a link of its own (`rttMs`, and `uploadBitsPerSecond` shared by all of this proxy's connections;
 * `Infinity` leaves request bodies unshaped), or a `link` shared with other proxies.
 */
export type ShapingProxyOptions = ShapingProxyCommonOptions & (LinkProfile | { link: SharedLink });

export interface ShapingProxyStats {
  connections: number;
  requests: number;
  activeRequests: number;
  requestBodyBytes: number;
  responseBodyBytes: number;
  upstreamErrors: number;
  clientAborts: number;
}

export interface ShapingProxy {
  url: string;
  port: number;
  /** Live counters; take differences around a run. */
  stats: ShapingProxyStats;
  /**
   * Switches to another link (say, the next profile) without changing the port, so URLs that name the proxy stay
   * valid. Requests already under way finish on the old one; reconfigure between runs.
   */
  setLink(link: SharedLink): void;
  close(): Promise<void>;
}

/** Bytes a direction may hold "on the wire" before the proxy stops reading; above any profile's bandwidth × RTT/2. */
const MAX_IN_FLIGHT_BYTES = 1024 * 1024;

/** Waits for room in a writable; also ends on close, so a destroyed stream never leaves the reader hanging. */
function roomIn(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/** A request the forwarder can read: HTTP/1.1's, or HTTP/2's compatibility request (same surface). */
export type ClientRequest = IncomingMessage | Http2ServerRequest;
export type ClientResponse = ServerResponse | Http2ServerResponse;
/** Watches one request and its response (headers, `finish`/`close`); never consumes the body. */
export type ExchangeObserver = (req: ClientRequest, res: ClientResponse) => void;

/** Where one request goes: the upstream origin and the path on it. */
export interface ForwardRoute {
  upstream: URL;
  path: string;
  agent: http.Agent;
  /** Set on every answer, over the upstream's own of the same name (a front door's rules). */
  responseHeaders?: Readonly<Record<string, string>>;
}

/** How the model sees one request: its connection, and (HTTP/2) the flow-control windows its body must fit in. */
export interface ForwardModel {
  link: SharedLink;
  connection: ModelledConnection;
  flowWindows?: readonly FlowWindow[];
}

export const emptyStats = (): ShapingProxyStats => ({
  connections: 0,
  requests: 0,
  activeRequests: 0,
  requestBodyBytes: 0,
  responseBodyBytes: 0,
  upstreamErrors: 0,
  clientAborts: 0,
});

/**
 * Forwards one request over the modelled link: the head RTT/2 late, the body through the uplink (and any flow
 * windows), the response head and body RTT/2 late. Shared by this HTTP/1.1 proxy and the HTTP/2 front door.
 */
export async function forwardShaped(
  req: ClientRequest,
  res: ClientResponse,
  route: ForwardRoute,
  model: ForwardModel,
  stats: ShapingProxyStats,
): Promise<void> {
  const { upstream, agent } = route;
  const { connection, flowWindows = [] } = model;
  stats.requests += 1;
  stats.activeRequests += 1;
  // One link for the whole request, even if the proxy is switched to another meanwhile.
  const halfRtt = model.link.rttMs / 2;
  const uplink = model.link.uplink;
  // HTTP/2's compatibility response has no writableNeedDrain; its stream buffers what the delay line bounds.
  const needsDrain = (stream: Writable) => "writableNeedDrain" in stream && stream.writableNeedDrain;
  let upstreamRequest: http.ClientRequest | undefined;
  let clientGone = false;
  let upstreamFailed = false;
  let responseStarted = false;

  const abandon = () => {
    upstreamRequest?.destroy();
    res.destroy();
  };
  const toUpstream = new DelayLine(abandon);
  const toClient = new DelayLine(abandon);

  res.on("close", () => {
    stats.activeRequests -= 1;
    if (!res.writableFinished && !upstreamFailed) {
      clientGone = true;
      stats.clientAborts += 1;
      upstreamRequest?.destroy();
    }
  });

  const onUpstreamError = (error: Error) => {
    if (clientGone || upstreamFailed) return;
    upstreamFailed = true;
    stats.upstreamErrors += 1;
    // Once the response has started the status is gone; cutting the connection is the only honest signal.
    toClient.push(now() + halfRtt, 0, () => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "bad_gateway", message: error.message }));
    });
  };

  const relayResponse = async (upstreamResponse: IncomingMessage) => {
    responseStarted = true;
    toClient.push(now() + halfRtt, 0, () => {
      // Http2ServerResponse takes the same flat name, value list at run time; only its typings lack the overload.
      if (!clientGone)
        (res as ServerResponse).writeHead(
          upstreamResponse.statusCode ?? 502,
          responseHeadersForClient(upstreamResponse, route.responseHeaders),
        );
    });
    try {
      for await (const chunk of upstreamResponse as AsyncIterable<Buffer>) {
        stats.responseBodyBytes += chunk.length;
        toClient.push(now() + halfRtt, chunk.length, () => (res as Writable).write(chunk));
        if (toClient.pendingBytes > MAX_IN_FLIGHT_BYTES) await toClient.drained();
        if (needsDrain(res)) await roomIn(res);
        if (clientGone) return;
      }
    } catch (error) {
      onUpstreamError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    toClient.push(now() + halfRtt, 0, () => res.end());
  };

  const sendFrom = Math.max(now(), connection.readyAt);
  toUpstream.push(sendFrom + halfRtt, 0, () => {
    if (clientGone) return;
    upstreamRequest = http.request({
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: route.path,
      headers: requestHeadersForUpstream(req.headers, upstream.host),
      agent,
    });
    upstreamRequest.on("response", (upstreamResponse) => void relayResponse(upstreamResponse));
    upstreamRequest.on("error", (error) => {
      // An upstream that answers early (say 403) may close while the body still flows; its answer stands.
      if (!responseStarted) onUpstreamError(error);
    });
  });

  // No body byte moves before the handshake is over.
  await sleepUntil(sendFrom);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      for (const window of flowWindows) await window.acquire(chunk.length);
      const leftAt = await sendOverUplink(chunk.length, connection, uplink);
      // The receiver reads the chunk RTT/2 later and its WINDOW_UPDATE takes another RTT/2 back.
      for (const window of flowWindows) window.acknowledgeAt(chunk.length, leftAt + 2 * halfRtt);
      stats.requestBodyBytes += chunk.length;
      toUpstream.push(leftAt + halfRtt, chunk.length, () => {
        if (!upstreamFailed) upstreamRequest?.write(chunk);
      });
      if (toUpstream.pendingBytes > MAX_IN_FLIGHT_BYTES) await toUpstream.drained();
      if (upstreamRequest && needsDrain(upstreamRequest)) await roomIn(upstreamRequest);
      if (clientGone) return;
    }
  } catch {
    // The client went away mid-body; the close handler has cleaned up.
    return;
  }
  if (!req.complete) return;
  toUpstream.push(now() + halfRtt, 0, () => {
    if (!upstreamFailed) upstreamRequest?.end();
  });
}

export async function startShapingProxy(options: ShapingProxyOptions): Promise<ShapingProxy> {
  let link = "link" in options ? options.link : createSharedLink(options);
  const upstream = new URL(options.upstream);
  const upstreamPrefix = upstream.pathname.replace(/\/$/, "");
  const agent = new http.Agent({ keepAlive: true });
  const connections = new WeakMap<Socket, ModelledConnection>();
  const stats = emptyStats();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    options.onExchange?.(req, res);
    return forwardShaped(
      req,
      res,
      { upstream, agent, path: `${upstreamPrefix}${req.url ?? "/"}` },
      { link, connection: connections.get(req.socket) ?? openConnection(link, options) },
      stats,
    );
  };

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => void forward(req, res));
  // Keep connections between runs the way a browser does, so only a genuinely new connection pays the handshake.
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket: Socket) => {
    stats.connections += 1;
    connections.set(socket, openConnection(link, options));
  });

  const { url, port } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    stats,
    setLink: (next) => {
      link = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
