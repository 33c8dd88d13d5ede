import type { ApiConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { StorageAccount } from "./storage-account.js";

/** Creates missing containers and, on the emulator or when asked, the CORS rules browsers need to PUT directly. */
export async function setupStorage(
  account: StorageAccount,
  config: ApiConfig,
  options: { configureCors: boolean },
  logger: Logger,
) {
  await account.ensureContainers();
  if (options.configureCors) {
    await account.configureCors(config.corsOrigins);
    logger.info("storage CORS rules set", { origins: config.corsOrigins });
  }
}
