import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { ApiProblem } from "./errors.js";
import type { Logger } from "./logger.js";

export interface JwksKeySource {
  keys(kid: string | undefined): Promise<HonoJsonWebKey[]>;
}

export interface JwksCacheOptions {
  /** Keys older than this are still used, and fetched again behind the request. */
  maxAgeMs?: number;
  /** Keys are used at most this long after their last successful fetch (when the provider is down); then 503. */
  usableForMs?: number;
  /** A token with a key id we do not know triggers an early fetch at most this often. */
  minRefetchMs?: number;
  /** After a failed fetch, no other is tried for this long. */
  backoffMs?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

const MINUTE_MS = 60_000;

const unavailable = () => new ApiProblem(503, "auth_unavailable", "Cannot check sign-ins right now; try again shortly");

/**
 * The provider's signing keys, kept in memory (hono/jwk alone would fetch them on every request). A provider that
 * is down costs requests no time: usable keys answer at once while a fetch runs behind them, and after a failure
 * nothing is fetched for `backoffMs`, so requests get the keys we have or 503 at once. A token with an unknown
 * key id (key rotation) waits for one early fetch, at most every `minRefetchMs`.
 */
export function cachedJwks(
  url: string,
  logger: Logger,
  {
    maxAgeMs = 10 * MINUTE_MS,
    usableForMs = 60 * MINUTE_MS,
    minRefetchMs = 30_000,
    backoffMs = 30_000,
    fetchTimeoutMs = 5000,
    now = Date.now,
  }: JwksCacheOptions = {},
): JwksKeySource {
  let cached: { keys: HonoJsonWebKey[]; fetchedAt: number } | undefined;
  let lastAttemptAt = -Infinity;
  let lastFailureAt = -Infinity;
  let pending: Promise<void> | undefined;

  const download = async (): Promise<HonoJsonWebKey[]> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs) });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error("JWKS response has no keys array");
    return body.keys as HonoJsonWebKey[];
  };

  /** One fetch at a time, shared by whoever asks meanwhile; it never rejects: a failure starts the back-off. */
  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      lastAttemptAt = now();
      try {
        cached = { keys: await download(), fetchedAt: now() };
      } catch (error) {
        lastFailureAt = now();
        logger.warn("could not fetch the identity provider's keys", {
          url,
          retryInMs: backoffMs,
          error: String(error),
        });
      }
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const usableKeys = () => (cached && now() - cached.fetchedAt < usableForMs ? cached.keys : undefined);

  return {
    async keys(kid) {
      const at = now();
      const backingOff = at - lastFailureAt < backoffMs;
      const keys = usableKeys();
      if (keys && (kid === undefined || keys.some((k) => k.kid === kid))) {
        if (cached && at - cached.fetchedAt >= maxAgeMs && !backingOff) void refresh();
        return keys;
      }
      if (keys) {
        // Made-up key ids must not turn every request into a fetch from the provider.
        if (pending || (!backingOff && at - lastAttemptAt >= minRefetchMs)) await refresh();
        return usableKeys() ?? keys;
      }
      if (pending || !backingOff) await refresh();
      const fetched = usableKeys();
      if (!fetched) throw unavailable();
      return fetched;
    },
  };
}
