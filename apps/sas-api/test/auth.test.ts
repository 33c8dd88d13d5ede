import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorSchema, studyListSchema, studySchema } from "@study-uploader/shared";
import {
  commitBody,
  createBatch,
  pngFile,
  startTestApi,
  testApiForSuite,
  uploadAll,
  type TestApi,
} from "./test-api.js";
import { TEST_AUDIENCE, TEST_ISSUER, bearer, secretAuth, signedInUsers, tokenFor } from "./tokens.js";

const api = testApiForSuite({}, { config: { auth: secretAuth } });
const [alice, bob] = signedInUsers("alice", "bob");

async function expectUnauthorized(res: Response) {
  expect(res.status).toBe(401);
  expect(apiErrorSchema.parse(await res.json()).error.code).toBe("unauthorized");
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
}

describe("with AUTH_JWT_SECRET", () => {
  it("keeps health and config public and says that auth is required", async () => {
    expect((await api.get("/api/health")).status).toBe(200);
    const config = await api.get("/api/config", { authorization: "Bearer garbage" });
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({ authRequired: true });
  });

  it("answers 401 without a token on every other route", async () => {
    await expectUnauthorized(
      await api.post("/api/batches", { files: [{ name: "a.png", size: 10, type: "image/png" }] }),
    );
    await expectUnauthorized(await api.post("/api/batches/AAAAAAAAAAAAAAAAAAAAAAAA/refresh", {}));
    await expectUnauthorized(
      await api.post("/api/studies", { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", title: "t", elements: [] }),
    );
    await expectUnauthorized(await api.get("/api/studies"));
    await expectUnauthorized(await api.get("/api/studies/AAAAAAAAAAAAAAAAAAAAAA"));
  });

  it.each([
    ["garbage", async () => "Bearer not-a-jwt"],
    ["another scheme", async () => `Basic ${btoa("alice:password")}`],
    ["an expired token", async () => `Bearer ${await tokenFor("alice", { exp: Math.floor(Date.now() / 1000) - 60 })}`],
    [
      "a token not valid yet",
      async () => `Bearer ${await tokenFor("alice", { nbf: Math.floor(Date.now() / 1000) + 600 })}`,
    ],
    ["the wrong audience", async () => `Bearer ${await tokenFor("alice", { aud: "api://someone-else" })}`],
    ["the wrong issuer", async () => `Bearer ${await tokenFor("alice", { iss: "https://evil.example" })}`],
    [
      "the wrong key",
      async () => `Bearer ${await tokenFor("alice", {}, "another-secret-that-is-at-least-32-characters")}`,
    ],
    ["no subject", async () => `Bearer ${await tokenFor(undefined)}`],
    ["no expiry", async () => `Bearer ${await tokenFor("alice", { exp: undefined })}`],
    [
      "alg none",
      async () => `Bearer ${btoa('{"alg":"none"}').replace(/=/g, "")}.${btoa('{"sub":"alice"}').replace(/=/g, "")}.`,
    ],
  ])("answers 401 for %s", async (_, authorization) => {
    await expectUnauthorized(await api.get("/api/studies", { authorization: await authorization() }));
  });

  it("keeps each user's batches and studies to that user", async () => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files, alice);
    await uploadAll(batch, files);

    // Bob knows Alice's batch id and still cannot touch it: to him it does not exist.
    for (const res of [
      await api.post(`/api/batches/${batch.batchId}/refresh`, {}, bob),
      await api.post("/api/studies", commitBody(batch, files), bob),
    ]) {
      expect(res.status).toBe(404);
      expect(apiErrorSchema.parse(await res.json()).error.code).toBe("not_found");
    }

    const committed = await api.post("/api/studies", commitBody(batch, files, "Alice's study"), alice);
    expect(committed.status).toBe(201);
    const study = studySchema.parse(await committed.json());

    expect((await api.get(`/api/studies/${study.id}`, bob)).status).toBe(404);
    expect((await api.post("/api/studies", commitBody(batch, files), bob)).status).toBe(404);
    expect(studyListSchema.parse(await (await api.get("/api/studies", bob)).json()).studies).toEqual([]);

    expect((await api.get(`/api/studies/${study.id}`, alice)).status).toBe(200);
    const aliceList = studyListSchema.parse(await (await api.get("/api/studies", alice)).json()).studies;
    expect(aliceList.map((s) => s.id)).toEqual([study.id]);
  });
});

describe("with AUTH_JWKS_URL (an OpenID provider's keys)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "key-1";
  const privateJwk = { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" };
  const publicJwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  let jwksRequests = 0;
  let provider: ReturnType<typeof serve>;
  let oidcApi: TestApi;

  const rsaToken = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return sign(
      { sub: "carol", iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 600, ...claims },
      privateJwk,
    );
  };

  beforeAll(async () => {
    const jwks = new Hono().get("/keys", (c) => {
      jwksRequests += 1;
      return c.json({ keys: [publicJwk] });
    });
    provider = serve({ fetch: jwks.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => provider.once("listening", resolve));
    const jwksUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/keys`;
    oidcApi = await startTestApi(
      {},
      { config: { auth: { kind: "jwks", jwksUrl, issuer: TEST_ISSUER, audience: TEST_AUDIENCE } } },
    );
  });
  afterAll(async () => {
    await oidcApi.close();
    provider.close();
  });

  it("accepts the provider's tokens and fetches its keys once", async () => {
    const carol = bearer(await rsaToken());
    for (let i = 0; i < 3; i++) expect((await oidcApi.get("/api/studies", carol)).status).toBe(200);
    expect(jwksRequests).toBe(1);
  });

  it("refuses a wrong audience, a wrong issuer, an HS256 token and a no-token request", async () => {
    await expectUnauthorized(await oidcApi.get("/api/studies", bearer(await rsaToken({ aud: "api://other" }))));
    await expectUnauthorized(
      await oidcApi.get("/api/studies", bearer(await rsaToken({ iss: "https://evil.example" }))),
    );
    await expectUnauthorized(await oidcApi.get("/api/studies", bearer(await tokenFor("carol"))));
    await expectUnauthorized(await oidcApi.get("/api/studies"));
  });
});

describe("without auth (the local default)", () => {
  it("runs open and says so in its config", async () => {
    const open = await startTestApi();
    try {
      expect(await (await open.get("/api/config")).json()).toMatchObject({ authRequired: false });
      expect((await open.get("/api/studies")).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
