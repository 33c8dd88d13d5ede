import { sign } from "hono/jwt";
import { beforeAll } from "vitest";
import type { AuthConfig } from "../src/auth-config.js";

export const TEST_SECRET = "a-test-secret-that-is-at-least-32-characters";
export const TEST_ISSUER = "https://login.example.test/tenant/v2.0";
export const TEST_AUDIENCE = "api://study-uploader";

export const secretAuth: AuthConfig = {
  kind: "secret",
  secret: TEST_SECRET,
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
};

/** A valid HS256 token for `sub`, with claims overridden (or removed with undefined) as a test needs. */
export function tokenFor(sub: string | undefined, claims: Record<string, unknown> = {}, secret = TEST_SECRET) {
  const now = Math.floor(Date.now() / 1000);
  const payload = Object.fromEntries(
    Object.entries({ sub, iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now - 10, exp: now + 600, ...claims }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return sign(payload, secret, "HS256");
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Bearer headers for these users, minted before the suite's tests run; each is filled in place, so a file can hold
 * them as constants: `const [alice, bob] = signedInUsers("alice", "bob")`.
 */
export function signedInUsers<const Subjects extends string[]>(
  ...subjects: Subjects
): { [K in keyof Subjects]: Record<string, string> } {
  const headers = subjects.map((): Record<string, string> => ({}));
  beforeAll(async () => {
    for (const [i, subject] of subjects.entries()) Object.assign(headers[i]!, bearer(await tokenFor(subject)));
  });
  return headers as { [K in keyof Subjects]: Record<string, string> };
}
