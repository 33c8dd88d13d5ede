/** Clock-skew allowance: a SAS is valid from a little before the server thinks it is now. */
export const SAS_START_SKEW_MS = 15 * 60 * 1000;

/** When a read URL is valid, and how long a browser may keep what it fetched. */
export interface ReadUrlValidity {
  startsOn: Date;
  expiresOn: Date;
  /** The response's `Cache-Control: max-age`: signed into the URL, so it must not change within a window either. */
  maxAgeSeconds: number;
}

/**
 * Read URLs are the same for every request in one window of time (start and expiry are the window's, not the
 * request's), so the same image keeps the same URL and a browser, or a front door that caches, serves a repeat
 * view without downloading it again. Every API instance computes the same window from the clock alone. A URL is
 * valid for at least `ttlSeconds` after it is handed out and at most `windowSeconds + ttlSeconds`.
 */
export function readUrlValidity(nowMs: number, ttlSeconds: number, windowSeconds: number): ReadUrlValidity {
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  return {
    startsOn: new Date(windowStart - SAS_START_SKEW_MS),
    expiresOn: new Date(windowStart + windowMs + ttlSeconds * 1000),
    maxAgeSeconds: windowSeconds + ttlSeconds,
  };
}
