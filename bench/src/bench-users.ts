import { createHmac, randomUUID } from "node:crypto";

/*
 * Every timed run signs in as a user of its own. The workloads' files are the same bytes run after run, and an API
 * that knows which images an owner already has (dedupe) would otherwise skip the PUTs of every run after the first:
 * open, every caller is the same anonymous owner. The dedupe case signs in once for its two studies.
 */

/** The HS256 secret the bench's APIs check (AUTH_JWT_SECRET); a local measuring tool's, never a deployment's. */
export const BENCH_JWT_SECRET = "bench-only-secret-for-the-local-benchmark-apis";

/** A fresh subject: one user, one browser profile. */
export const newBenchUser = (): string => `bench-${randomUUID()}`;

/** An access token for `subject`, valid for two hours, signed as the bench's APIs check it. */
export function accessTokenFor(subject: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: subject, iat: now - 10, exp: now + 7200 })}`;
  return `${unsigned}.${createHmac("sha256", BENCH_JWT_SECRET).update(unsigned).digest("base64url")}`;
}

/** Run in the page before its scripts: the hosting page's token hook (README), handing out `token`. */
export const SIGN_IN_SCRIPT = (token: string): string =>
  `window.studyUploaderAccessToken = async () => ${JSON.stringify(token)};`;
