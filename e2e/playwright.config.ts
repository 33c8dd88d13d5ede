import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import { AZURITE_ACCOUNT_NAME, azuriteAccountsEnv } from "@study-uploader/sas-api/azurite";
import { chromiumLaunchOptions } from "@study-uploader/shared/chromium-launch";
import { E2E_JWT_SECRET } from "./support/access-tokens.js";
import { e2ePorts } from "./support/ports.js";
import { e2eAzuriteAccount, e2eAzuriteConnectionString } from "./support/test-azurite.js";

const ports = e2ePorts();
/** The built API (`pnpm --filter @study-uploader/sas-api build`), found through its package exports. */
const apiEntry = fileURLToPath(import.meta.resolve("@study-uploader/sas-api/main"));
const connectionString = e2eAzuriteConnectionString();
const origins = [ports.api, ports.shortSasApi, ports.authApi, ports.blocksApi].flatMap((p) => [
  `http://127.0.0.1:${p}`,
  `http://localhost:${p}`,
]);

/** Each server is started (and stopped) by Playwright itself; locally a running one is reused. */
const managed = {
  reuseExistingServer: !process.env.CI,
  timeout: 60_000,
  gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
};

/** The same API code, pointed at the test Azurite, open (no auth) as on a developer's machine. */
const apiServer = (port: number, extraEnv: Record<string, string> = {}) => ({
  ...managed,
  command: `node --enable-source-maps ${apiEntry}`,
  url: `http://127.0.0.1:${port}/api/health`,
  env: {
    PORT: String(port),
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
    CONFIGURE_STORAGE_CORS: "true",
    ALLOW_ANONYMOUS: "true",
    CORS_ORIGINS: origins.join(","),
    LOG_LEVEL: "warn",
    ...extraEnv,
  },
});

export default defineConfig({
  testDir: "./tests",
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://127.0.0.1:${ports.api}`,
    ...devices["Desktop Chrome"],
    launchOptions: chromiumLaunchOptions(),
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: [
    {
      ...managed,
      command: `node node_modules/azurite/dist/src/blob/main.js --skipApiVersionCheck --loose --inMemoryPersistence --blobHost 127.0.0.1 --blobPort ${ports.azurite}`,
      port: ports.azurite,
      // Its one account has this run's random key, never the published development key.
      env: { AZURITE_ACCOUNTS: azuriteAccountsEnv(e2eAzuriteAccount()) },
    },
    apiServer(ports.api),
    // A second instance whose upload URLs expire in seconds, to prove SAS refresh in the browser.
    apiServer(ports.shortSasApi, { SAS_TTL_SECONDS: "3" }),
    // A third that requires a signed-in user (HS256 tokens the tests mint), for drafts kept per user.
    apiServer(ports.authApi, { AUTH_JWT_SECRET: E2E_JWT_SECRET }),
    // A fourth that sends files over 1 MiB in blocks of 256 KiB, through a storage proxy its tests slow, drop and damage.
    apiServer(ports.blocksApi, {
      UPLOAD_BLOCK_THRESHOLD_BYTES: String(1024 * 1024),
      UPLOAD_BLOCK_BYTES: String(256 * 1024),
      PUBLIC_BLOB_ENDPOINT: `http://127.0.0.1:${ports.storageProxy}/${AZURITE_ACCOUNT_NAME}`,
    }),
  ],
});
