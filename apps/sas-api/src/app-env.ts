import type { RequestIdVariables } from "hono/request-id";
import type { ApiConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { BlobStorage } from "./storage/blob-storage.js";

export interface AppDeps {
  storage: BlobStorage;
  config: ApiConfig;
  logger: Logger;
}

/** Per-request values: the request id and the owner every batch and study is scoped to. */
export type AppEnv = { Variables: RequestIdVariables & { owner: string } };
