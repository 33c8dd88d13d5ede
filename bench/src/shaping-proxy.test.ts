import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startShapingProxy, type ShapingProxy, type ShapingProxyOptions } from "./shaping-proxy.js";
import { createSharedLink, now } from "./link-model.js";
import { startSinkServer, type SinkReceipt, type SinkServer } from "./sink-server.js";
import { timedRequest } from "./timed-request.js";

const KIB = 1024;
const MIB = 1024 * KIB;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function sink(): Promise<SinkServer> {
  const server = await startSinkServer();
  cleanups.push(() => server.close());
  return server;
}

async function proxy(options: Partial<ShapingProxyOptions> & { upstream: string }): Promise<ShapingProxy> {
  const started = await startShapingProxy({ rttMs: 0, uploadBitsPerSecond: Number.POSITIVE_INFINITY, ...options });
  cleanups.push(() => started.close());
  return started;
}

/** An upstream defined by the test; the agent is kept so connections are reused, as a browser does. */
async function upstreamServer(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function keepAliveAgent(maxSockets = 6): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  cleanups.push(async () => agent.destroy());
  return agent;
}

describe("shaping proxy forwarding", () => {
  it("forwards a large request body intact, streamed, with method, path and query", async () => {
    const shaping = await proxy({ upstream: (await sink()).url });
    const body = randomBytes(5 * MIB + 123);

    const response = await timedRequest(`${shaping.url}/devstoreaccount1/c/blob?sv=1&sig=a%2Bb`, {
      method: "PUT",
      body,
    });

    const receipt = JSON.parse(response.body.toString()) as SinkReceipt;
    expect(response.status).toBe(200);
    expect(receipt).toEqual({
      method: "PUT",
      path: "/devstoreaccount1/c/blob?sv=1&sig=a%2Bb",
      bytes: body.length,
      sha256: sha256(body),
    });
    expect(shaping.stats.requestBodyBytes).toBe(body.length);
  });

  it("forwards a large response body intact", async () => {
    const shaping = await proxy({ upstream: (await sink()).url, rttMs: 10 });
    const response = await timedRequest(`${shaping.url}/bytes/${3 * MIB}`);
    expect(response.body.equals(Buffer.alloc(3 * MIB))).toBe(true);
  });

  it("rewrites Host, drops hop-by-hop headers and keeps the rest, both ways", async () => {
    let seen: http.IncomingHttpHeaders = {};
    const upstream = await upstreamServer((req, res) => {
      seen = req.headers;
      res.setHeader("x-ms-request-id", "abc");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end();
    });
    const shaping = await proxy({ upstream });

    await new Promise<void>((resolve, reject) => {
      http
        .get(
          `${shaping.url}/x`,
          {
            headers: {
              "x-ms-blob-type": "BlockBlob",
              "content-md5": "abc==",
              connection: "keep-alive, x-private",
              "x-private": "1",
            },
          },
          (res) => {
            expect(res.headers["x-ms-request-id"]).toBe("abc");
            expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
            res.resume().on("end", resolve);
          },
        )
        .on("error", reject);
    });

    expect(seen.host).toBe(new URL(upstream).host);
    expect(seen["x-ms-blob-type"]).toBe("BlockBlob");
    expect(seen["content-md5"]).toBe("abc==");
    expect(seen["x-private"]).toBeUndefined();
  });

  it("passes a CORS preflight through to the upstream and its answer back", async () => {
    const upstream = await upstreamServer((req, res) => {
      res.writeHead(req.method === "OPTIONS" ? 200 : 405, {
        "access-control-allow-origin": req.headers.origin ?? "",
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "",
      });
      res.end();
    });
    const shaping = await proxy({ upstream, rttMs: 20 });

    const response = await fetch(`${shaping.url}/devstoreaccount1/c/blob`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "x-ms-blob-type",
      },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response.headers.get("access-control-allow-headers")).toBe("x-ms-blob-type");
  });

  it("answers 502 when the upstream cannot be reached", async () => {
    const closed = await upstreamServer((_req, res) => res.end());
    await cleanups.pop()?.();
    const shaping = await proxy({ upstream: closed });

    const response = await timedRequest(`${shaping.url}/x`, { method: "PUT", body: Buffer.from("hello") });

    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: "bad_gateway" });
    expect(shaping.stats.upstreamErrors).toBe(1);
  });

  it("aborts the upstream request when the client goes away mid-body", async () => {
    let upstreamRequestAborted = false;
    const upstream = await upstreamServer((req, res) => {
      req.on("close", () => {
        upstreamRequestAborted = !req.complete;
      });
      req.resume().on("end", () => res.end());
    });
    const shaping = await proxy({ upstream, uploadBitsPerSecond: 8_000_000 });

    const client = http.request(`${shaping.url}/x`, { method: "PUT", headers: { "content-length": String(4 * MIB) } });
    client.on("error", () => {});
    client.write(randomBytes(256 * KIB));
    await vi.waitFor(() => expect(shaping.stats.requestBodyBytes).toBeGreaterThan(0));
    client.destroy();

    await vi.waitFor(() => expect(upstreamRequestAborted).toBe(true));
    expect(shaping.stats.clientAborts).toBe(1);
    await vi.waitFor(() => expect(shaping.stats.activeRequests).toBe(0));
  });
});

describe("shaping proxy network model", () => {
  it("adds at least one RTT to a request on a kept-alive connection and a handshake RTT to a new one", async () => {
    const rttMs = 80;
    const shaping = await proxy({ upstream: (await sink()).url, rttMs });
    const agent = keepAliveAgent(1);

    const first = await timedRequest(`${shaping.url}/bytes/0`, { agent });
    const reused = await timedRequest(`${shaping.url}/bytes/0`, { agent });

    expect(first.elapsedMs).toBeGreaterThanOrEqual(2 * rttMs);
    expect(reused.elapsedMs).toBeGreaterThanOrEqual(rttMs);
    expect(shaping.stats.connections).toBe(1);
  });

  it("caps one upload at the link bandwidth", async () => {
    const bitsPerSecond = 16_000_000;
    const shaping = await proxy({ upstream: (await sink()).url, uploadBitsPerSecond: bitsPerSecond });
    const body = randomBytes(MIB);

    const response = await timedRequest(`${shaping.url}/x`, { method: "PUT", body });

    const expectedMs = ((body.length * 8) / bitsPerSecond) * 1000;
    expect(response.elapsedMs).toBeGreaterThanOrEqual(0.8 * expectedMs);
  });

  it("shares the bandwidth among parallel connections", async () => {
    const bitsPerSecond = 16_000_000;
    const shaping = await proxy({ upstream: (await sink()).url, uploadBitsPerSecond: bitsPerSecond });
    const agent = keepAliveAgent(4);
    const bodies = Array.from({ length: 4 }, () => randomBytes(256 * KIB));

    const startedAt = performance.now();
    const responses = await Promise.all(
      bodies.map((body) => timedRequest(`${shaping.url}/x`, { method: "PUT", body, agent })),
    );
    const elapsedMs = performance.now() - startedAt;

    const expectedMs = ((4 * 256 * KIB * 8) / bitsPerSecond) * 1000;
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(elapsedMs).toBeGreaterThanOrEqual(0.8 * expectedMs);
    // Shared fairly: none finishes much before the others, as on one link.
    for (const response of responses) expect(response.elapsedMs).toBeGreaterThanOrEqual(0.6 * expectedMs);
  });

  it("caps each connection when a per-connection bandwidth is set", async () => {
    const perConnectionBitsPerSecond = 8_000_000;
    const shaping = await proxy({
      upstream: (await sink()).url,
      uploadBitsPerSecond: 80_000_000,
      perConnectionBitsPerSecond,
    });
    const body = randomBytes(512 * KIB);

    const response = await timedRequest(`${shaping.url}/x`, { method: "PUT", body });

    expect(response.elapsedMs).toBeGreaterThanOrEqual(0.8 * ((body.length * 8) / perConnectionBitsPerSecond) * 1000);
  });

  it("makes a fresh connection ramp up under slow start", async () => {
    const rttMs = 50;
    const shaping = await proxy({
      upstream: (await sink()).url,
      rttMs,
      uploadBitsPerSecond: 400_000_000,
      slowStart: true,
    });
    const body = randomBytes(MIB);

    const response = await timedRequest(`${shaping.url}/x`, { method: "PUT", body, agent: false });

    // A 14.6 kB window doubling each RTT needs about six rounds for 1 MiB; the link alone would take 21 ms.
    expect(response.elapsedMs).toBeGreaterThanOrEqual(2 * rttMs + 3 * rttMs);
  });
});

describe("shaping proxies on a shared link", () => {
  it("share one uplink: two proxies' parallel bodies take as long as both on one", async () => {
    const upstream = (await sink()).url;
    const link = createSharedLink({ rttMs: 0, uploadBitsPerSecond: 80_000_000 }); // 10 MB/s
    const [api, storage] = [await proxy({ upstream, link }), await proxy({ upstream, link })];
    const body = randomBytes(MIB);
    const startedAt = now();
    await Promise.all([api, storage].map((p) => timedRequest(`${p.url}/put`, { method: "PUT", body })));
    // Each alone would take ~105 ms; on one shared 10 MB/s link together they need ~210 ms.
    expect(now() - startedAt).toBeGreaterThanOrEqual(190);
  });

  it("switches to another link on the same port", async () => {
    const shaping = await proxy({ upstream: (await sink()).url });
    const before = await timedRequest(`${shaping.url}/bytes/0`, { agent: false });
    shaping.setLink(createSharedLink({ rttMs: 100, uploadBitsPerSecond: Number.POSITIVE_INFINITY }));
    const after = await timedRequest(`${shaping.url}/bytes/0`, { agent: false });
    expect(before.elapsedMs).toBeLessThan(50);
    // A new connection: one handshake RTT, then the request's own RTT.
    expect(after.elapsedMs).toBeGreaterThanOrEqual(195);
  });
});
