import type { ApiConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { BlobStorage } from "./blob-storage.js";

/** Creates missing containers and, on the emulator or when asked, the CORS rules browsers need to PUT directly. */
export async function setupStorage(
  storage: BlobStorage,
  config: ApiConfig,
  options: { configureCors: boolean },
  logger: Logger,
) {
  await storage.ensureContainers();
  if (options.configureCors) {
    await storage.configureCors(config.corsOrigins);
    logger.info("storage CORS rules set", { origins: config.corsOrigins });
  }
}
