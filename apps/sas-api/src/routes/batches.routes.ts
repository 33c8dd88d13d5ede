import { Hono } from "hono";
import {
  API_ROUTES,
  addBatchFilesRequestSchema,
  batchIdSchema,
  createBatchRequestSchema,
  refreshBatchRequestSchema,
  reuseUploadRequestSchema,
} from "@study-uploader/shared";
import type { AppEnv, RouteDeps } from "../app-env.js";
import { addBatchFiles, discardBatch, removeBatchFile } from "../domain/batch-edits.js";
import { batchStatus } from "../domain/batch-status.js";
import { createBatch, refreshBatch } from "../domain/batches.js";
import { notFound } from "../domain/domain-error.js";
import { reuseStoredImage } from "../domain/reuse-upload.js";
import { ApiProblem } from "../errors.js";
import { jsonBody } from "../validation.js";

/** A path's batch id; one that cannot be a batch id names no batch (404, like a foreign or missing one). */
function batchIdParam(value: string): string {
  if (!batchIdSchema.safeParse(value).success) throw notFound("Batch");
  return value;
}

/** A path's file index: digits only, no sign, fraction or leading zero; anything else names no file (404). */
function fileIndexParam(value: string): number {
  if (!/^(0|[1-9]\d{0,8})$/.test(value)) {
    throw new ApiProblem(404, "not_found", `No file at index ${JSON.stringify(value.slice(0, 20))}`);
  }
  return Number(value);
}

export function batchRoutes(deps: RouteDeps) {
  return new Hono<AppEnv>()
    .post(API_ROUTES.createBatch.path, jsonBody(createBatchRequestSchema(deps.config.limits)), async (c) => {
      const batch = await createBatch(deps, c.get("owner"), c.req.valid("json"));
      return c.json(batch, 201);
    })
    .post(API_ROUTES.refreshBatch.path, jsonBody(refreshBatchRequestSchema), async (c) => {
      const batchId = batchIdParam(c.req.param("batchId"));
      const refreshed = await refreshBatch(deps, c.get("owner"), batchId, c.req.valid("json").indexes);
      return c.json(refreshed, 200);
    })
    .post(API_ROUTES.addBatchFiles.path, jsonBody(addBatchFilesRequestSchema(deps.config.limits)), async (c) => {
      const batchId = batchIdParam(c.req.param("batchId"));
      const added = await addBatchFiles(deps, c.get("owner"), batchId, c.req.valid("json"));
      return c.json(added, 201);
    })
    .get(API_ROUTES.getBatch.path, async (c) => {
      const status = await batchStatus(deps, c.get("owner"), batchIdParam(c.req.param("batchId")));
      return c.json(status, 200);
    })
    .delete(API_ROUTES.discardBatch.path, async (c) => {
      await discardBatch(deps, c.get("owner"), batchIdParam(c.req.param("batchId")));
      return c.body(null, 204);
    })
    .post(API_ROUTES.reuseUpload.path, jsonBody(reuseUploadRequestSchema), async (c) => {
      const batchId = batchIdParam(c.req.param("batchId"));
      const index = fileIndexParam(c.req.param("index"));
      const reused = await reuseStoredImage(deps, c.get("owner"), batchId, index, c.req.valid("json").md5);
      return c.json({ reused }, 200);
    })
    .delete(API_ROUTES.removeBatchFile.path, async (c) => {
      const batchId = batchIdParam(c.req.param("batchId"));
      await removeBatchFile(deps, c.get("owner"), batchId, fileIndexParam(c.req.param("index")));
      return c.body(null, 204);
    });
}
