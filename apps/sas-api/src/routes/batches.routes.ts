import { Hono, type MiddlewareHandler } from "hono";
import { batchIdSchema, createBatchRequestSchema, refreshBatchRequestSchema } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "../app-env.js";
import { createBatch, refreshBatch } from "../domain/batches.js";
import { notFound } from "../errors.js";
import { jsonBody } from "../validation.js";

export function batchRoutes(deps: AppDeps, limitCreation: MiddlewareHandler<AppEnv>) {
  return new Hono<AppEnv>()
    .post("/", limitCreation, jsonBody(createBatchRequestSchema(deps.config.limits)), async (c) => {
      const batch = await createBatch(deps, c.get("owner"), c.req.valid("json"));
      return c.json(batch, 201);
    })
    .post("/:batchId/refresh", jsonBody(refreshBatchRequestSchema), async (c) => {
      const batchId = c.req.param("batchId");
      if (!batchIdSchema.safeParse(batchId).success) throw notFound("Batch");
      const refreshed = await refreshBatch(deps, c.get("owner"), batchId, c.req.valid("json").indexes);
      return c.json(refreshed, 200);
    });
}
