import type { NetworkProbe } from "./network-watch.js";

/**
 * A probe by fetch: a HEAD in `no-cors` mode to a URL of the storage origin. Any answer, even an error status or an
 * opaque one, means the link works; only a failed fetch (no connection) means it does not.
 */
export function createFetchProbe(urlOf: () => string | null, fetcher: typeof fetch = fetch): NetworkProbe {
  return async (signal) => {
    const url = urlOf();
    if (url === null) return true;
    try {
      await fetcher(url, { method: "HEAD", mode: "no-cors", cache: "no-store", signal });
      return true;
    } catch {
      return false;
    }
  };
}
