import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/* Which headers the shaping proxy passes on: the message's own, never those of one hop. */

/** Headers that describe one hop, not the message (RFC 9110 section 7.6.1), plus Expect: Node answers 100 itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

function isEndToEnd(name: string, connectionHeader: string | undefined): boolean {
  const lower = name.toLowerCase();
  // HTTP/2's pseudo-headers (:method, :path, :authority) belong to its framing, not to an HTTP/1.1 request.
  if (HOP_BY_HOP.has(lower) || lower.startsWith(":")) return false;
  return !connectionHeader
    ?.toLowerCase()
    .split(",")
    .some((token) => token.trim() === lower);
}

export function requestHeadersForUpstream(headers: IncomingHttpHeaders, upstreamHost: string): IncomingHttpHeaders {
  const connection = typeof headers.connection === "string" ? headers.connection : undefined;
  const forwarded: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && isEndToEnd(name, connection)) forwarded[name] = value;
  }
  forwarded.host = upstreamHost;
  return forwarded;
}

/**
 * Keeps the upstream's header case and repeated headers (rawHeaders is a flat name, value list); `overrides`
 * replace any of the same name.
 */
export function responseHeadersForClient(
  upstreamResponse: IncomingMessage,
  overrides: Readonly<Record<string, string>> = {},
): string[] {
  const connection =
    typeof upstreamResponse.headers.connection === "string" ? upstreamResponse.headers.connection : undefined;
  const overridden = new Set(Object.keys(overrides).map((name) => name.toLowerCase()));
  const raw = upstreamResponse.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (isEndToEnd(name, connection) && !overridden.has(name.toLowerCase())) kept.push(name, raw[i + 1] as string);
  }
  return [...kept, ...Object.entries(overrides).flat()];
}
