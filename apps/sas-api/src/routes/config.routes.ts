import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";

export function configRoutes({ config }: AppDeps) {
  return new Hono<AppEnv>().get("/", (c) =>
    c.json(
      {
        ...config.limits,
        maxBatchBytes: config.maxBatchBytes,
        authRequired: config.auth !== null,
        stagingTtlSeconds: config.stagingTtlHours * 3600,
      },
      200,
    ),
  );
}
