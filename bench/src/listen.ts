import type { AddressInfo, Server } from "node:net";

/** Starts listening (port 0 picks a free one) and resolves with where the server ended up. */
export async function listen(
  server: Server,
  port = 0,
  host = "127.0.0.1",
  scheme: "http" | "https" = "http",
): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { url: `${scheme}://${address.address}:${address.port}`, port: address.port };
}
