import type http from "node:http";
import type { AddressInfo } from "node:net";

/** Starts listening (port 0 picks a free one) and resolves with where the server ended up. */
export async function listen(
  server: http.Server,
  port = 0,
  host = "127.0.0.1",
): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${address.address}:${address.port}`, port: address.port };
}
