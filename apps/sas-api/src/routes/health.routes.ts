import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";
import { ApiProblem } from "../errors.js";

export function healthRoutes({ storage, logger }: AppDeps) {
  return new Hono<AppEnv>().get("/", async (c) => {
    try {
      await storage.account.ping(AbortSignal.timeout(3000));
    } catch (error) {
      logger.warn("health check failed", { requestId: c.get("requestId"), error: String(error) });
      throw new ApiProblem(503, "storage_unavailable", "Storage is not answering");
    }
    return c.json({ status: "ok" as const }, 200);
  });
}
