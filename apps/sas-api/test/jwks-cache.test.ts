import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "hono/jwt";
import { afterEach, describe, expect, it } from "vitest";
import { apiErrorSchema } from "@study-uploader/shared";
import { cachedJwks, type JwksCacheOptions } from "../src/jwks-cache.js";
import { createLogger } from "../src/logger.js";
import { startTestApi } from "./test-api.js";
import { TEST_AUDIENCE, TEST_ISSUER, bearer } from "./tokens.js";

const MINUTE = 60_000;

function signingKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateJwk: { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" },
    publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" },
  };
}
const key1 = signingKey("key-1");
const key2 = signingKey("key-2");

/** A real JWKS endpoint over HTTP that a test can take down, make hang, or rotate, and whose requests it counts. */
interface Provider {
  url: string;
  requests: number;
  state: "up" | "down" | "hanging";
  keys: object[];
  /** Drops the connections of hanging requests, so their fetches fail now. */
  dropHanging(): void;
  close(): Promise<void>;
}

const providers: Provider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

async function startProvider(): Promise<Provider> {
  const server: Server = createServer((_req, res) => {
    provider.requests += 1;
    if (provider.state === "hanging") return;
    if (provider.state === "down") res.writeHead(503).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: provider.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const provider: Provider = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
    requests: 0,
    state: "up",
    keys: [key1.publicJwk],
    dropHanging: () => server.closeAllConnections(),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  providers.push(provider);
  return provider;
}

function steppedClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Counts failed fetches: each one logs a warning, and a background fetch is seen no other way. */
function countingLogger() {
  const counted = { failures: 0 };
  const logger = createLogger("warn", () => {
    counted.failures += 1;
    return true;
  });
  return { logger, counted };
}
const kidsOf = (keys: { kid?: string }[]) => keys.map((k) => k.kid);
const expectUnavailable = (keys: Promise<unknown>) =>
  expect(keys).rejects.toMatchObject({ status: 503, code: "auth_unavailable" });

function source(
  provider: Provider,
  clock: ReturnType<typeof steppedClock>,
  options: JwksCacheOptions = {},
  logger = createLogger("silent"),
) {
  return cachedJwks(provider.url, logger, { now: clock.now, ...options });
}

describe("cachedJwks against a real JWKS endpoint", () => {
  it("fetches once and answers from memory while the keys are fresh", async () => {
    const provider = await startProvider();
    const jwks = source(provider, steppedClock());
    const answers = await Promise.all(Array.from({ length: 20 }, () => jwks.keys("key-1")));
    expect(answers.every((keys) => kidsOf(keys).join() === "key-1")).toBe(true);
    expect(provider.requests).toBe(1);
  });

  it("with the provider down and nothing cached: one attempt per back-off period, 503 at once in between, then recovers", async () => {
    const provider = await startProvider();
    provider.state = "down";
    const clock = steppedClock();
    const jwks = source(provider, clock);
    for (let i = 0; i < 20; i++) await expectUnavailable(jwks.keys("key-1"));
    expect(provider.requests).toBe(1);
    clock.advance(29_999);
    for (let i = 0; i < 20; i++) await expectUnavailable(jwks.keys("key-1"));
    expect(provider.requests).toBe(1);
    clock.advance(1);
    for (let i = 0; i < 20; i++) await expectUnavailable(jwks.keys("key-1"));
    expect(provider.requests).toBe(2);

    provider.state = "up";
    clock.advance(30_000);
    expect(kidsOf(await jwks.keys("key-1"))).toEqual(["key-1"]);
    expect(provider.requests).toBe(3);
  });

  it("with the provider hanging and nothing cached: the requests of one attempt wait for its timeout, the next get 503 at once", async () => {
    const provider = await startProvider();
    provider.state = "hanging";
    const jwks = source(provider, steppedClock(), { fetchTimeoutMs: 200 });
    await Promise.all(Array.from({ length: 5 }, () => expectUnavailable(jwks.keys("key-1"))));
    for (let i = 0; i < 20; i++) await expectUnavailable(jwks.keys("key-1"));
    expect(provider.requests).toBe(1);
  });

  it("with the provider down: stale keys answer at once for an hour after their last fetch, then 503, then recover", async () => {
    const provider = await startProvider();
    const clock = steppedClock();
    // A timeout no test waits for: a request that waited on the hanging provider would never finish.
    const { logger, counted } = countingLogger();
    const jwks = source(provider, clock, { fetchTimeoutMs: 10 * MINUTE }, logger);
    await jwks.keys("key-1");

    provider.state = "hanging";
    clock.advance(10 * MINUTE);
    for (let i = 0; i < 20; i++) expect(kidsOf(await jwks.keys("key-1"))).toEqual(["key-1"]);
    await expect.poll(() => provider.requests).toBe(2);
    provider.state = "down";
    provider.dropHanging();
    await expect.poll(() => counted.failures).toBe(1);

    // One background attempt per minute (the back-off is 30 s), and never a wait.
    for (let minute = 1; minute < 50; minute++) {
      clock.advance(MINUTE);
      for (let i = 0; i < 20; i++) expect(kidsOf(await jwks.keys("key-1"))).toEqual(["key-1"]);
      await expect.poll(() => counted.failures).toBe(1 + minute);
    }
    expect(provider.requests).toBe(2 + 49);

    clock.advance(MINUTE);
    for (let i = 0; i < 20; i++) await expectUnavailable(jwks.keys("key-1"));
    expect(provider.requests).toBe(2 + 50);

    provider.state = "up";
    clock.advance(30_000);
    expect(kidsOf(await jwks.keys("key-1"))).toEqual(["key-1"]);
    expect(provider.requests).toBe(2 + 51);
  });

  it("fetches early for an unknown key id (rotation), at most every 30 s however many made-up ids arrive", async () => {
    const provider = await startProvider();
    const clock = steppedClock();
    const jwks = source(provider, clock);
    await jwks.keys("key-1");
    provider.keys = [key1.publicJwk, key2.publicJwk];

    clock.advance(1000);
    for (let i = 0; i < 20; i++) expect(kidsOf(await jwks.keys(`made-up-${i}`))).toEqual(["key-1"]);
    expect(provider.requests).toBe(1);
    clock.advance(29_000);
    expect(kidsOf(await jwks.keys("key-2"))).toEqual(["key-1", "key-2"]);
    expect(provider.requests).toBe(2);
    for (let i = 0; i < 20; i++) await jwks.keys(`made-up-${i}`);
    expect(provider.requests).toBe(2);
  });
});

describe("sign-ins through the API while the provider is down", () => {
  it("keep working on cached keys, answer 503 auth_unavailable an hour after the last fetch without asking again, then recover", async () => {
    const provider = await startProvider();
    const clock = steppedClock();
    const api = await startTestApi(
      {},
      {
        config: { auth: { kind: "jwks", jwksUrl: provider.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE } },
        now: clock.now,
      },
    );
    try {
      const seconds = Math.floor(Date.now() / 1000);
      const token = await sign(
        { sub: "gina", iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: seconds, exp: seconds + 600 },
        key1.privateJwk,
      );
      const studies = () => api.get("/api/studies", bearer(token));
      expect((await studies()).status).toBe(200);

      provider.state = "down";
      clock.advance(9 * MINUTE);
      expect((await studies()).status).toBe(200);
      expect(provider.requests).toBe(1);

      clock.advance(51 * MINUTE);
      const refused = await studies();
      expect(refused.status).toBe(503);
      expect(apiErrorSchema.parse(await refused.json()).error.code).toBe("auth_unavailable");
      for (let i = 0; i < 20; i++) expect((await studies()).status).toBe(503);
      expect(provider.requests).toBe(2);

      provider.state = "up";
      clock.advance(30_000);
      expect((await studies()).status).toBe(200);
      expect(provider.requests).toBe(3);
    } finally {
      await api.close();
    }
  });
});
