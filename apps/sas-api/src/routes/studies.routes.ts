import { Hono } from "hono";
import { API_ROUTES, STUDY_ID_PATTERN, commitStudyRequestSchema, studyListQuerySchema } from "@study-uploader/shared";
import type { AppEnv, RouteDeps } from "../app-env.js";
import { commitStudy } from "../domain/commit-study.js";
import { deleteStudy } from "../domain/delete-study.js";
import { notFound } from "../domain/domain-error.js";
import { getStudy, listStudies, toStudy } from "../domain/studies.js";
import { jsonBody, query } from "../validation.js";

/** A path's study id; one that cannot be a study id names no study (404, like a foreign or missing one). */
function studyIdParam(value: string): string {
  if (!STUDY_ID_PATTERN.test(value)) throw notFound("Study");
  return value;
}

export function studyRoutes(deps: RouteDeps) {
  return new Hono<AppEnv>()
    .get(API_ROUTES.listStudies.path, query(studyListQuerySchema), async (c) =>
      c.json(await listStudies(deps, c.get("owner"), c.req.valid("query")), 200),
    )
    .post(API_ROUTES.commitStudy.path, jsonBody(commitStudyRequestSchema), async (c) => {
      const { created, record } = await commitStudy(deps, c.get("owner"), c.req.valid("json"));
      const study = await toStudy(deps, record);
      deps.logger.info(created ? "study committed" : "study commit repeated", {
        requestId: c.get("requestId"),
        studyId: study.id,
        elements: study.elements.length,
      });
      return c.json(study, created ? 201 : 200);
    })
    .get(API_ROUTES.getStudy.path, async (c) =>
      c.json(await getStudy(deps, c.get("owner"), studyIdParam(c.req.param("studyId"))), 200),
    )
    .delete(API_ROUTES.deleteStudy.path, async (c) => {
      const studyId = studyIdParam(c.req.param("studyId"));
      await deleteStudy(deps.storage, c.get("owner"), studyId, new Date(deps.now()));
      deps.logger.info("study deleted", { requestId: c.get("requestId"), studyId });
      return c.body(null, 204);
    });
}
