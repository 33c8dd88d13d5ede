import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { jwk } from "hono/jwk";
import { decode, jwt } from "hono/jwt";
import type { AppEnv } from "./app-env.js";
import type { AuthConfig } from "./auth-config.js";
import { ownerKey } from "./domain/ids.js";
import { ApiProblem } from "./errors.js";
import type { JwksKeySource } from "./jwks-cache.js";

/** Algorithms OpenID providers sign access tokens with (Entra ID uses RS256); never a symmetric one. */
const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
] as const;

const unauthorized = (message: string) =>
  new ApiProblem(401, "unauthorized", message, undefined, { "WWW-Authenticate": "Bearer" });

/**
 * How far ahead of our clock a token's nbf and iat may be: the provider's clock and ours drift apart a little,
 * and a token fresh from the provider must not be refused for that. Expiry gets no leeway.
 */
const CLOCK_LEEWAY_SECONDS = 60;

/** nbf and iat, when present, must be times no later than now plus the leeway. */
function checkTokenTimes(payload: Record<string, unknown>): void {
  const latest = Date.now() / 1000 + CLOCK_LEEWAY_SECONDS;
  for (const claim of ["nbf", "iat"] as const) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) throw unauthorized(`The token's ${claim} is not a time`);
    if (value > latest) {
      throw unauthorized(
        claim === "nbf" ? "The token is not valid yet (nbf)" : "The token is issued in the future (iat)",
      );
    }
  }
}

/** After verification: the token's subject becomes the owner every batch and study is scoped to. */
const ownerFromVerifiedToken = createMiddleware<AppEnv>(async (c, next) => {
  const payload = c.get("jwtPayload");
  const { sub, exp } = payload;
  if (typeof sub !== "string" || sub.length === 0) throw unauthorized("The token names no subject (sub)");
  // Hono checks exp only when present; a token that never expires is not one we accept.
  if (typeof exp !== "number") throw unauthorized("The token has no expiry (exp)");
  checkTokenTimes(payload);
  c.set("owner", ownerKey(sub));
  await next();
});

function bearerKeyId(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return undefined;
  try {
    const { kid } = decode(token).header as { kid?: unknown };
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who is calling. With auth configured, a valid bearer token is required and its subject is the owner;
 * without, every caller is the same anonymous owner (the API runs open).
 */
export function authenticate(auth: AuthConfig | null, jwks: JwksKeySource | undefined): MiddlewareHandler<AppEnv>[] {
  if (!auth) {
    return [
      createMiddleware<AppEnv>(async (c, next) => {
        c.set("owner", ownerKey(null));
        await next();
      }),
    ];
  }
  // Hono checks nbf and iat without leeway: ownerFromVerifiedToken checks them instead.
  const verification = { iss: auth.issuer, aud: auth.audience, nbf: false, iat: false };
  if (auth.kind === "secret") {
    return [jwt({ secret: auth.secret, alg: "HS256", verification }), ownerFromVerifiedToken];
  }
  if (!jwks) throw new Error("JWKS authentication needs a key source");
  return [
    jwk({
      keys: (c) => jwks.keys(bearerKeyId(c.req.header("authorization"))),
      alg: [...ASYMMETRIC_ALGORITHMS],
      verification,
    }),
    ownerFromVerifiedToken,
  ];
}
