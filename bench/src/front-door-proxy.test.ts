import { createHash, randomBytes } from "node:crypto";
import http2, { type ClientHttp2Session } from "node:http2";
import https from "node:https";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { browserContainerPaths } from "@study-uploader/shared";
import {
  routeFor,
  selfSignedCertificate,
  startFrontDoor,
  type FrontDoor,
  type FrontDoorOptions,
  type TlsCredentials,
} from "./front-door-proxy.js";
import { createSharedLink, now } from "./link-model.js";
import { startSinkServer, type SinkReceipt, type SinkServer } from "./sink-server.js";

const KIB = 1024;
const MIB = 1024 * KIB;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const CONTAINERS = browserContainerPaths("/devstoreaccount1", "study-");
/** An upload's path on the app's origin, in the one container uploads go to. */
const UPLOAD = "/storage/devstoreaccount1/study-images";

let tls: TlsCredentials;
let api: SinkServer;
let storage: SinkServer;
beforeAll(async () => {
  tls = selfSignedCertificate();
  [api, storage] = await Promise.all([startSinkServer(), startSinkServer()]);
});
afterAll(async () => {
  await Promise.all([api.close(), storage.close()]);
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function frontDoor(options: Partial<FrontDoorOptions> = {}): Promise<FrontDoor> {
  const started = await startFrontDoor({
    apiOrigin: api.url,
    storageOrigin: storage.url,
    storageContainers: CONTAINERS,
    tls,
    ...options,
  });
  cleanups.push(() => started.close());
  return started;
}

/** A client that trusts the test certificate, as Chromium is told to. */
async function connect(door: FrontDoor): Promise<ClientHttp2Session> {
  const session = http2.connect(door.url, { ca: tls.cert });
  cleanups.push(async () => void session.destroy());
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  return session;
}

interface StreamResult {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  elapsedMs: number;
}

function request(
  session: ClientHttp2Session,
  path: string,
  options: { method?: string; body?: Buffer } = {},
): Promise<StreamResult> {
  const startedAt = now();
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": options.method ?? "GET", ":path": path });
    let status = 0;
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => {
      headers = received;
      status = Number(received[":status"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, headers, body: Buffer.concat(chunks), elapsedMs: now() - startedAt }));
    stream.on("error", reject);
    stream.end(options.body);
  });
}

const receipt = (result: StreamResult) => JSON.parse(result.body.toString()) as SinkReceipt;

describe("routeFor", () => {
  it("sends the browser's containers on /storage to storage without the prefix, and other paths to the API", () => {
    expect(routeFor("PUT", `${UPLOAD}/b/0?sig=x`, CONTAINERS)).toEqual({
      to: "storage",
      path: "/devstoreaccount1/study-images/b/0?sig=x",
    });
    expect(routeFor("GET", "/storagex/a", CONTAINERS)).toEqual({ to: "api", path: "/storagex/a" });
    expect(routeFor("GET", "/api/studies", CONTAINERS)).toEqual({ to: "api", path: "/api/studies" });
  });

  it("refuses anything else on /storage: the account, listings, other containers, deletes", () => {
    for (const [method, path] of [
      ["GET", "/storage"],
      ["GET", "/storage?comp=list"],
      ["GET", "/storage/devstoreaccount1/study-studies/anonymous/s.json?sig=x"],
      ["GET", "/storage/devstoreaccount1/study-images?restype=container&comp=list"],
      ["DELETE", `${UPLOAD}/b/0?sig=x`],
    ] as const) {
      expect(routeFor(method, path, CONTAINERS), `${method} ${path}`).toEqual({ to: "refused" });
    }
  });
});

describe("front door", () => {
  it("negotiates HTTP/2 through ALPN and advertises its windows", async () => {
    const door = await frontDoor({ streamWindowBytes: 2 * MIB, connectionWindowBytes: 8 * MIB });
    const session = await connect(door);
    expect(session.alpnProtocol).toBe("h2");
    await request(session, "/api/health");
    expect(session.remoteSettings.initialWindowSize).toBe(2 * MIB);
    expect(door.stats.http2Sessions).toBe(1);
  });

  it("serves many concurrent streams on one connection, each body intact on the right upstream", async () => {
    const door = await frontDoor();
    const session = await connect(door);
    const bodies = Array.from({ length: 16 }, (_, i) => randomBytes(256 * KIB + i));
    const results = await Promise.all(
      bodies.map((body, i) => request(session, `${UPLOAD}/blob-${i}?sig=a%2Bb`, { method: "PUT", body })),
    );
    const apiResult = await request(session, "/api/studies", { method: "POST", body: Buffer.from("{}") });

    results.forEach((result, i) => {
      expect(result.status).toBe(200);
      expect(receipt(result)).toEqual({
        method: "PUT",
        path: `/devstoreaccount1/study-images/blob-${i}?sig=a%2Bb`,
        bytes: bodies[i]!.length,
        sha256: sha256(bodies[i]!),
      });
    });
    expect(receipt(apiResult)).toMatchObject({ method: "POST", path: "/api/studies", bytes: 2 });
    expect(door.stats.connections).toBe(1);
    expect(door.stats.storage.requests).toBe(16);
    expect(door.stats.storage.requestBodyBytes).toBe(bodies.reduce((sum, b) => sum + b.length, 0));
    expect(door.stats.api.requestBodyBytes).toBe(2);
  });

  it("marks every storage answer nosniff and sandboxed, and refuses other storage paths at the door", async () => {
    const door = await frontDoor();
    const session = await connect(door);
    const upload = await request(session, `${UPLOAD}/b/0?sig=x`, { method: "PUT", body: Buffer.from("img") });
    expect(upload.status).toBe(200);
    expect(upload.headers["x-content-type-options"]).toBe("nosniff");
    expect(upload.headers["content-security-policy"]).toBe("sandbox");
    const before = door.stats.storage.requests;
    const refused = await request(session, "/storage/devstoreaccount1/study-studies/anonymous/s.json?sig=x");
    expect(refused.status).toBe(404);
    expect(refused.headers["content-security-policy"]).toBe("sandbox");
    expect(door.stats.storage.requests).toBe(before);
    const apiAnswer = await request(session, "/api/health");
    expect(apiAnswer.headers["content-security-policy"]).toBeUndefined();
  });

  it("still answers an HTTP/1.1 client over TLS", async () => {
    const door = await frontDoor();
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${door.url}/api/health`, { ca: tls.cert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
  });

  it("delays every stream by one RTT, the connection's first by the TCP + TLS handshake too", async () => {
    const rttMs = 100;
    const door = await frontDoor({ link: createSharedLink({ rttMs, uploadBitsPerSecond: Number.POSITIVE_INFINITY }) });
    const session = await connect(door);
    const first = await request(session, "/api/a");
    // Parallel streams do not queue behind each other: each pays one RTT, not one RTT each in turn.
    const startedAt = now();
    const parallel = await Promise.all(Array.from({ length: 8 }, (_, i) => request(session, `/api/p${i}`)));
    const parallelMs = now() - startedAt;

    expect(first.elapsedMs).toBeGreaterThanOrEqual(3 * rttMs - 5);
    for (const result of parallel) expect(result.elapsedMs).toBeGreaterThanOrEqual(rttMs - 5);
    expect(parallelMs).toBeLessThan(3 * rttMs);
  });

  it("shares the uplink among streams: four bodies take as long as their sum at the link rate", async () => {
    const bitsPerSecond = 40_000_000;
    const door = await frontDoor({ link: createSharedLink({ rttMs: 0, uploadBitsPerSecond: bitsPerSecond }) });
    const session = await connect(door);
    const startedAt = now();
    await Promise.all(
      Array.from({ length: 4 }, () =>
        request(session, `${UPLOAD}/b/x`, { method: "PUT", body: randomBytes(512 * KIB) }),
      ),
    );
    const expectedMs = ((4 * 512 * KIB * 8) / bitsPerSecond) * 1000;
    expect(now() - startedAt).toBeGreaterThanOrEqual(0.8 * expectedMs);
  });

  it("caps one stream at its window per RTT, however fast the link", async () => {
    const rttMs = 100;
    const streamWindowBytes = 64 * KIB;
    const door = await frontDoor({
      link: createSharedLink({ rttMs, uploadBitsPerSecond: Number.POSITIVE_INFINITY }),
      streamWindowBytes,
    });
    const session = await connect(door);
    await request(session, "/api/warm");
    const body = randomBytes(512 * KIB);
    const result = await request(session, `${UPLOAD}/b/x`, { method: "PUT", body });
    // 8 windows: the first leaves at once, each next one RTT later; plus the request's own RTT.
    expect(receipt(result).bytes).toBe(body.length);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(7 * rttMs + rttMs - 10);
  });
});
