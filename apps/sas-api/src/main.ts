import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { startAzurite, type RunningAzurite } from "./azurite.js";
import { apiConfigFromEnv, parseEnv } from "./config.js";
import { createLogger } from "./logger.js";
import { BlobStorage } from "./storage/blob-storage.js";
import { setupStorage } from "./storage/setup-storage.js";

/** The only place that reads the environment and starts things: Azurite (unless a real account is set), then the API. */
async function main() {
  const env = parseEnv(process.env);
  const logger = createLogger(env.LOG_LEVEL);
  const config = apiConfigFromEnv(env);

  let azurite: RunningAzurite | undefined;
  let connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
  if (!connectionString) {
    azurite = await startAzurite({
      port: env.AZURITE_BLOB_PORT,
      location: env.AZURITE_IN_MEMORY ? undefined : env.AZURITE_LOCATION,
    });
    connectionString = azurite.connectionString;
    logger.info("azurite started", { blobEndpoint: azurite.blobEndpoint, persistent: !env.AZURITE_IN_MEMORY });
  }

  const storage = new BlobStorage({
    connectionString,
    containerPrefix: env.STORAGE_CONTAINER_PREFIX,
    publicBlobEndpoint: env.PUBLIC_BLOB_ENDPOINT,
  });
  await setupStorage(storage, config, { configureCors: Boolean(azurite) || env.CONFIGURE_STORAGE_CORS }, logger);

  const app = createApp({ storage, config, logger });
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    const url = `http://${info.address === "::1" ? "localhost" : info.address}:${info.port}`;
    logger.info("api listening", { url, storage: storage.accountUrl });
    process.stdout.write(`\nStudy Uploader is running at ${url}\n  API:     ${url}/api/health\n  Storage: ${storage.accountUrl}\n\n`);
  });

  const shutdown = async () => {
    server.close();
    await azurite?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
