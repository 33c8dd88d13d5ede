/**
 * Names that reach only this machine. A page on another site cannot rebind them to us, because its Host header
 * carries the page's own name.
 */
const LOCAL_HOST_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** One ALLOWED_HOSTS entry: a host name, served on any port, or a host name and the one port it is served on. */
export interface AllowedHost {
  name: string;
  port?: number;
}

// A DNS name or IPv4 address, or an IPv6 address in brackets, then an optional port.
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d{1,5}))?$/;

/** `name[:port]` in lower case, as a Host header or an ALLOWED_HOSTS entry names it; undefined if it is not one. */
export function parseHost(value: string): AllowedHost | undefined {
  const match = HOST.exec(value.trim().toLowerCase());
  if (!match?.[1]) return undefined;
  if (match[2] === undefined) return { name: match[1] };
  const port = Number(match[2]);
  return port <= 65535 ? { name: match[1], port } : undefined;
}

/** localhost, 127.0.0.1 or [::1]: URL.hostname spells them this way too. */
export const isLocalHostName = (name: string) => LOCAL_HOST_NAMES.includes(name.toLowerCase());

/** Whether a Host header names this server: a local name on any port, or an allowed host (on its port, if given). */
export function isAllowedHost(hostHeader: string, allowed: readonly AllowedHost[]): boolean {
  const host = parseHost(hostHeader);
  if (!host) return false;
  if (isLocalHostName(host.name)) return true;
  return allowed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port));
}
