import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
}

export interface CountingProxy {
  url: string;
  port: number;
  /** Every request that reached the proxy, in order (held ones too). */
  seen: SeenRequest[];
  /** Requests `hold` picks wait here, never forwarded, until their client gives up (or is killed). */
  hold: (request: SeenRequest) => boolean;
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy that writes down every request it forwards, so a test can count what a run sent (PUTs to
 * storage, calls to the API), and that can hold requests to freeze a run half-way.
 */
export async function startCountingProxy(upstreamPort: number): Promise<CountingProxy> {
  const agent = new http.Agent({ keepAlive: true });
  const proxy: CountingProxy = { url: "", port: 0, seen: [], hold: () => false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const request = { method: req.method ?? "GET", path: req.url ?? "/" };
    proxy.seen.push(request);
    if (proxy.hold(request)) return;
    const out = http.request(
      {
        host: "127.0.0.1",
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${upstreamPort}` },
        agent,
      },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
