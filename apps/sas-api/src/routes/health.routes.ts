import { Hono } from "hono";
import { API_ROUTES } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "../app-env.js";
import { ApiProblem } from "../errors.js";
import { oncePerPeriod } from "../once-per-period.js";

/** However many probes arrive, this instance asks storage at most once in this time. */
const PING_SHARED_FOR_MS = 1000;

export function healthRoutes({ storage, logger, now }: AppDeps) {
  const pingStorage = oncePerPeriod(() => storage.account.ping(AbortSignal.timeout(3000)), PING_SHARED_FOR_MS, now);
  return new Hono<AppEnv>().get(API_ROUTES.health.path, async (c) => {
    try {
      await pingStorage();
    } catch (error) {
      logger.warn("health check failed", { requestId: c.get("requestId"), error: String(error) });
      throw new ApiProblem(503, "storage_unavailable", "Storage is not answering");
    }
    return c.json({ status: "ok" as const }, 200);
  });
}
