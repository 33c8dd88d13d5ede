/**
 * The origin to warm for an upload URL (absolute, or a path on the app's origin), or null when there is nothing
 * to do: the page's own origin is already connected, the URL names no network origin, or a link exists.
 */
export function preconnectTarget(
  uploadUrl: string,
  pageOrigin: string,
  linkedOrigins: readonly string[],
): string | null {
  let origin: string;
  try {
    origin = new URL(uploadUrl, pageOrigin).origin;
  } catch {
    return null;
  }
  // A data: URL has the opaque origin "null"; a blob: URL has the page's own.
  if (origin === "null" || origin === pageOrigin || linkedOrigins.includes(origin)) return null;
  return origin;
}

/**
 * Opens the connection (DNS, TCP, TLS) to the upload origin before the first PUT needs it, once per origin.
 * `crossorigin="anonymous"`: XHR uploads without credentials use the browser's credential-less connections, and a
 * preconnect without the attribute would warm the other pool.
 */
export function preconnect(uploadUrl: string, doc: Document = document): void {
  const links = doc.head.querySelectorAll('link[rel="preconnect"]');
  const linked = Array.from(links, (link) => link.getAttribute("href") ?? "");
  const origin = preconnectTarget(uploadUrl, doc.location.origin, linked);
  if (!origin) return;
  const link = doc.createElement("link");
  link.rel = "preconnect";
  link.href = origin;
  link.crossOrigin = "anonymous";
  doc.head.append(link);
}
