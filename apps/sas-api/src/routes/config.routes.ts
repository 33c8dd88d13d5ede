import { Hono } from "hono";
import { API_ROUTES } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "../app-env.js";

export function configRoutes({ config }: AppDeps) {
  return new Hono<AppEnv>().get(API_ROUTES.config.path, (c) =>
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
