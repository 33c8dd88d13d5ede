import { serve } from "@hono/node-server";
import { errorMessage } from "@study-uploader/shared";
import { createApp } from "./app.js";
import { azuriteAccountKeptIn, azuriteConnectionString, startAzurite, type RunningAzurite } from "./azurite.js";
import { checkOpenAccess } from "./auth-config.js";
import { apiConfigFromEnv } from "./config.js";
import { parseEnv, type Env } from "./env.js";
import { backfillStudyIndex } from "./domain/study-index.js";
import { sweepAbandonedBatches } from "./domain/sweep.js";
import { createLogger, type Logger } from "./logger.js";
import { BlobStorage } from "./storage/blob-storage.js";
import type { StorageAccess } from "./storage/storage-account.js";
import { setupStorage } from "./storage/setup-storage.js";
import { storageTargetFromEnv } from "./storage-target.js";

interface OpenedStorage {
  storage: BlobStorage;
  /** Set when this process started Azurite itself (and must stop it). */
  azurite?: RunningAzurite;
}

/**
 * The configured account, or the local Azurite: started here unless `reuseRunning` finds one already
 * answering on its port (the sweep runs beside a running `pnpm start`).
 */
async function openStorage(
  env: Env,
  logger: Logger,
  { reuseRunning }: { reuseRunning: boolean },
): Promise<OpenedStorage> {
  const target = storageTargetFromEnv(env);
  const common = { containerPrefix: env.STORAGE_CONTAINER_PREFIX, publicBlobEndpoint: env.PUBLIC_BLOB_ENDPOINT };
  const open = (access: StorageAccess) => new BlobStorage({ ...access, ...common });

  if (target.kind === "connection-string") return { storage: open({ connectionString: target.connectionString }) };
  if (target.kind === "account-url") {
    // No credential given: DefaultAzureCredential, whose role assignment decides what the API may do.
    return { storage: open({ accountUrl: target.accountUrl }) };
  }
  // One key per install, kept with the data (in memory too, so the sweep can reach a running in-memory Azurite).
  const account = azuriteAccountKeptIn(env.AZURITE_LOCATION);
  if (reuseRunning) {
    const running = open({
      connectionString: azuriteConnectionString(`http://127.0.0.1:${env.AZURITE_BLOB_PORT}/${account.name}`, account),
    });
    const answers = await running.account.ping(AbortSignal.timeout(2000)).then(
      () => true,
      () => false,
    );
    if (answers) return { storage: running };
  }
  const azurite = await startAzurite({
    port: env.AZURITE_BLOB_PORT,
    location: env.AZURITE_IN_MEMORY ? undefined : env.AZURITE_LOCATION,
    account,
  });
  logger.info("azurite started", { blobEndpoint: azurite.blobEndpoint, persistent: !env.AZURITE_IN_MEMORY });
  return { storage: open({ connectionString: azurite.connectionString }), azurite };
}

async function serveApi(env: Env, logger: Logger) {
  const config = apiConfigFromEnv(env);
  const open = checkOpenAccess(env, config.auth);
  const { storage, azurite } = await openStorage(env, logger, { reuseRunning: false });
  if (open) {
    logger.warn("authentication is off: every caller shares one anonymous owner", {
      storage: storage.account.url,
      hint: "set AUTH_JWKS_URL (+ AUTH_ISSUER, AUTH_AUDIENCE) or AUTH_JWT_SECRET",
    });
  }
  await setupStorage(
    storage.account,
    config,
    { configureCors: Boolean(azurite) || env.CONFIGURE_STORAGE_CORS },
    logger,
  );
  const backfilled = await backfillStudyIndex(storage, new Date());
  if (backfilled > 0) logger.info("earlier studies entered in the studies index", { studies: backfilled });

  const app = createApp({ storage, config, logger });
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    const url = `http://${info.address === "::1" ? "localhost" : info.address}:${info.port}`;
    logger.info("api listening", { url, storage: storage.account.url, auth: config.auth?.kind ?? "none" });
    process.stdout.write(
      `\nStudy Uploader is running at ${url}\n  API:     ${url}/api/health\n  Storage: ${storage.account.url}\n\n`,
    );
  });

  const shutdown = async () => {
    server.close();
    await azurite?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

/** `pnpm sweep`: one pass over abandoned batches, for cron or any scheduler. */
async function sweepOnce(env: Env, logger: Logger) {
  const { storage, azurite } = await openStorage(env, logger, { reuseRunning: true });
  try {
    // The API creates these at start too; a sweep that runs first simply finds them empty.
    await storage.account.ensureContainers();
    const counts = await sweepAbandonedBatches(
      { storage, logger },
      { stagingTtlHours: env.STAGING_TTL_HOURS, now: new Date() },
    );
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    // A scheduler should notice batches or deletes that could not be finished (they are retried on the next run).
    if (counts.failedBatches > 0 || counts.failedDeletes > 0) process.exitCode = 1;
  } finally {
    await azurite?.stop();
  }
}

/** The only place that reads the environment and starts things. `main.ts sweep` sweeps once and exits. */
async function main() {
  const env = parseEnv(process.env);
  const logger = createLogger(env.LOG_LEVEL);
  if (process.argv[2] === "sweep") await sweepOnce(env, logger);
  else await serveApi(env, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n`);
  process.exit(1);
});
