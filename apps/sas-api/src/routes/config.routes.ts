import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";

export function configRoutes({ config, storage }: AppDeps) {
  // Named only when uploads leave the app's origin: the browser opens that connection while images are announced.
  const uploadOrigin = storage.sas.publicOrigin ?? undefined;
  return new Hono<AppEnv>().get("/", (c) =>
    c.json(
      { ...config.limits, maxBatchBytes: config.maxBatchBytes, authRequired: config.auth !== null, uploadOrigin },
      200,
    ),
  );
}
