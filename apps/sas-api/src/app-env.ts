import type { JwtVariables } from "hono/jwt";
import type { RequestIdVariables } from "hono/request-id";
import type { ApiConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { Semaphore } from "./semaphore.js";
import type { BlobStorage } from "./storage/blob-storage.js";

export interface AppDeps {
  storage: BlobStorage;
  config: ApiConfig;
  logger: Logger;
  /** The app's clock, in ms (rate limits, caches, deadlines, expiries); tests step it instead of waiting. */
  now?: () => number;
  /** This process's slots for commits that verify their uploads; from config when not given (tests hold them). */
  verifySlots?: Semaphore;
}

/** What the routes hand the domain: the dependencies with the clock and the commit slots settled. */
export interface RouteDeps extends AppDeps {
  now: () => number;
  verifySlots: Semaphore;
}

/** Per-request values: the request id, the verified token (when auth is on) and the owner everything is scoped to. */
export type AppEnv = { Variables: RequestIdVariables & JwtVariables<Record<string, unknown>> & { owner: string } };
