import type { Env } from "./env.js";
import { storageTargetFromEnv } from "./storage-target.js";

/** How callers prove who they are: an OpenID provider's signing keys, or a shared HS256 secret. */
export type AuthConfig =
  | { kind: "jwks"; jwksUrl: string; issuer: string; audience: string }
  | { kind: "secret"; secret: string; issuer?: string; audience?: string };

/** parseEnv has already refused JWKS without issuer and audience, and JWKS together with a secret. */
export function authConfigFromEnv(env: Env): AuthConfig | null {
  const { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWT_SECRET: secret } = env;
  if (jwksUrl && issuer && audience) return { kind: "jwks", jwksUrl, issuer, audience };
  if (secret) return { kind: "secret", secret, issuer, audience };
  return null;
}

/**
 * An open API is fine on the throw-away local emulator; against a real account it would hand anyone upload
 * URLs, so it takes an explicit ALLOW_ANONYMOUS=true. Returns whether the API runs open. Only serving checks
 * this: the sweep answers no callers.
 */
export function checkOpenAccess(env: Env, auth: AuthConfig | null): boolean {
  if (auth) return false;
  if (storageTargetFromEnv(env).kind !== "local-azurite" && !env.ALLOW_ANONYMOUS) {
    throw new Error(
      "Refusing to run without authentication against a real storage account: set AUTH_JWKS_URL (with AUTH_ISSUER " +
        "and AUTH_AUDIENCE) or AUTH_JWT_SECRET, or ALLOW_ANONYMOUS=true to run open on purpose",
    );
  }
  return true;
}
