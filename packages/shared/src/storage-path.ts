/*
 * Storage on the app's own origin (PUBLIC_BLOB_ENDPOINT=/storage…, Azure Front Door in production): what the
 * front door may forward, and what it adds to every answer. Every front door we ship or test with applies these.
 */

/** The path under which the app's origin serves storage, stripped before the request goes on. */
export const STORAGE_PATH_PREFIX = "/storage";

/**
 * The two containers a browser is ever handed URLs of (uploads, and the copies studies show), by their names
 * after the account's container prefix. Plans, records and the index never leave the API.
 */
export const BROWSER_CONTAINERS = { uploads: "images", committed: "committed" } as const;

/**
 * Stored bytes are whatever a browser uploaded: never sniffed as another type, and never a page with this
 * origin's rights if someone opens one (CSP sandbox: no script, a unique origin).
 */
export const STORAGE_RESPONSE_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "sandbox",
} as const;

/** Read, upload; nothing a browser does to storage needs more (no listing, no delete). */
const FORWARDED_METHODS = new Set(["GET", "HEAD", "PUT"]);
/** Blob names are the server's own ({batch}/{index}, {study}/{index}-{etag}): plain segments, nothing encoded. */
const BLOB_NAME = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

/**
 * Where the browser's containers live below the storage origin: `accountPath` is "" on Azure (the account is
 * the host) and "/devstoreaccount1" on Azurite.
 */
export function browserContainerPaths(accountPath: string, containerPrefix: string): string[] {
  return Object.values(BROWSER_CONTAINERS).map((name) => `${accountPath}/${containerPrefix}${name}`);
}

/**
 * The path a request under `STORAGE_PATH_PREFIX` goes on to storage with (prefix stripped, query kept), or null
 * when the front door must refuse it (404): another container, the account itself, a listing, an encoded or
 * dotted name, or a method browsers never need.
 */
export function storageForwardPath(
  method: string,
  requestPath: string,
  containerPaths: readonly string[],
): string | null {
  if (!FORWARDED_METHODS.has(method.toUpperCase())) return null;
  const queryAt = requestPath.indexOf("?");
  const path = queryAt === -1 ? requestPath : requestPath.slice(0, queryAt);
  if (!path.startsWith(`${STORAGE_PATH_PREFIX}/`)) return null;
  const rest = path.slice(STORAGE_PATH_PREFIX.length);
  const container = containerPaths.find((containerPath) => rest.startsWith(`${containerPath}/`));
  if (container === undefined || !BLOB_NAME.test(rest.slice(container.length + 1))) return null;
  return requestPath.slice(STORAGE_PATH_PREFIX.length);
}
