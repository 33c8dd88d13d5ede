import { createHmac, generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorSchema } from "@study-uploader/shared";
import { apiConfigFromEnv } from "../src/config.js";
import { parseEnv } from "../src/env.js";
import { startTestApi, type TestApi } from "./test-api.js";
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, bearer, secretAuth, tokenFor } from "./tokens.js";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An HS256 token over a payload written by hand: sign() cannot write numbers JSON reads as infinite. */
function hs256Token(payloadJson: string) {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
  const payload = Buffer.from(payloadJson).toString("base64url");
  const signature = createHmac("sha256", TEST_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

async function statusOf(api: TestApi, token: string) {
  const res = await api.get("/api/studies", bearer(token));
  if (res.status !== 200) expect(apiErrorSchema.parse(await res.json()).error.code).toBe("unauthorized");
  return res.status;
}

describe("clock leeway of 60 s for nbf and iat, none for exp", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateJwk = { ...privateKey.export({ format: "jwk" }), kid: "key-1", alg: "RS256" };
  const publicJwk = { ...publicKey.export({ format: "jwk" }), kid: "key-1", alg: "RS256", use: "sig" };
  let provider: ReturnType<typeof serve>;
  let hs256: TestApi;
  let rs256: TestApi;

  beforeAll(async () => {
    provider = serve({
      fetch: new Hono().get("/keys", (c) => c.json({ keys: [publicJwk] })).fetch,
      port: 0,
      hostname: "127.0.0.1",
    });
    await new Promise<void>((resolve) => provider.once("listening", resolve));
    const jwksUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/keys`;
    hs256 = await startTestApi({}, { config: { auth: secretAuth } });
    rs256 = await startTestApi(
      {},
      { config: { auth: { kind: "jwks", jwksUrl, issuer: TEST_ISSUER, audience: TEST_AUDIENCE } } },
    );
  });
  afterAll(async () => {
    await hs256.close();
    await rs256.close();
    provider.close();
  });

  const signers = {
    HS256: (claims: Record<string, unknown>) => tokenFor("hana", claims),
    RS256: (claims: Record<string, unknown>) =>
      sign({ sub: "hana", iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: nowSeconds() + 600, ...claims }, privateJwk),
  };
  const apiFor = (alg: keyof typeof signers) => (alg === "HS256" ? hs256 : rs256);

  it.each(["HS256", "RS256"] as const)("%s: accepts nbf and iat 30 s ahead of our clock", async (alg) => {
    const soon = nowSeconds() + 30;
    expect(await statusOf(apiFor(alg), await signers[alg]({ nbf: soon, iat: soon }))).toBe(200);
  });

  it.each(["HS256", "RS256"] as const)("%s: refuses nbf or iat 120 s ahead", async (alg) => {
    const later = nowSeconds() + 120;
    expect(await statusOf(apiFor(alg), await signers[alg]({ nbf: later }))).toBe(401);
    expect(await statusOf(apiFor(alg), await signers[alg]({ iat: later }))).toBe(401);
  });

  it.each(["HS256", "RS256"] as const)("%s: refuses nbf or iat that are not finite numbers", async (alg) => {
    for (const value of ["2020-01-01", null, { at: 1 }]) {
      expect(await statusOf(apiFor(alg), await signers[alg]({ nbf: value }))).toBe(401);
      expect(await statusOf(apiFor(alg), await signers[alg]({ iat: value }))).toBe(401);
    }
  });

  it("refuses nbf or iat of -1e400, which JSON reads as -Infinity", async () => {
    for (const claim of ["nbf", "iat"]) {
      const token = hs256Token(
        `{"sub":"hana","iss":"${TEST_ISSUER}","aud":"${TEST_AUDIENCE}","exp":${nowSeconds() + 600},"${claim}":-1e400}`,
      );
      expect(await statusOf(hs256, token)).toBe(401);
    }
  });

  it("keeps exp strict", async () => {
    expect(await statusOf(hs256, await tokenFor("hana", { exp: nowSeconds() - 1 }))).toBe(401);
    expect(await statusOf(rs256, await signers.RS256({ exp: nowSeconds() - 1 }))).toBe(401);
  });
});

describe("HS256 with AUTH_ISSUER and AUTH_AUDIENCE, from the environment", () => {
  async function apiFromEnv(env: Record<string, string>) {
    return startTestApi(
      {},
      { config: { auth: apiConfigFromEnv(parseEnv({ AUTH_JWT_SECRET: TEST_SECRET, ...env })).auth } },
    );
  }

  it("checks both when both are set", async () => {
    const api = await apiFromEnv({ AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE });
    try {
      expect(await statusOf(api, await tokenFor("ivy"))).toBe(200);
      expect(await statusOf(api, await tokenFor("ivy", { iss: "https://evil.example" }))).toBe(401);
      expect(await statusOf(api, await tokenFor("ivy", { aud: "api://someone-else" }))).toBe(401);
      expect(await statusOf(api, await tokenFor("ivy", { aud: ["api://someone-else", TEST_AUDIENCE] }))).toBe(200);
      expect(await statusOf(api, await tokenFor("ivy", { iss: undefined }))).toBe(401);
      expect(await statusOf(api, await tokenFor("ivy", { aud: undefined }))).toBe(401);
    } finally {
      await api.close();
    }
  });

  it("checks neither when neither is set, and only the one that is", async () => {
    const open = await apiFromEnv({});
    const issuerOnly = await apiFromEnv({ AUTH_ISSUER: TEST_ISSUER });
    try {
      const anyClaims = await tokenFor("ivy", { iss: "https://anyone.example", aud: "api://anything" });
      expect(await statusOf(open, anyClaims)).toBe(200);
      expect(await statusOf(open, await tokenFor("ivy", { iss: undefined, aud: undefined }))).toBe(200);
      expect(await statusOf(issuerOnly, await tokenFor("ivy", { aud: "api://anything" }))).toBe(200);
      expect(await statusOf(issuerOnly, anyClaims)).toBe(401);
    } finally {
      await open.close();
      await issuerOnly.close();
    }
  });
});
