import { Hono, type MiddlewareHandler } from "hono";
import { STUDY_ID_PATTERN, commitStudyRequestSchema, studyListQuerySchema } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "../app-env.js";
import { commitStudy } from "../domain/commit-study.js";
import { getStudy, listStudies, toStudy } from "../domain/studies.js";
import { notFound } from "../errors.js";
import { jsonBody, query } from "../validation.js";

export function studyRoutes(deps: AppDeps, limitCommits: MiddlewareHandler<AppEnv>) {
  return new Hono<AppEnv>()
    .get("/", query(studyListQuerySchema), async (c) =>
      c.json(await listStudies(deps, c.get("owner"), c.req.valid("query")), 200),
    )
    .post("/", limitCommits, jsonBody(commitStudyRequestSchema), async (c) => {
      const { created, record } = await commitStudy(deps, c.get("owner"), c.req.valid("json"));
      const study = await toStudy(deps, record);
      deps.logger.info(created ? "study committed" : "study commit repeated", {
        requestId: c.get("requestId"),
        studyId: study.id,
        elements: study.elements.length,
      });
      return c.json(study, created ? 201 : 200);
    })
    .get("/:studyId", async (c) => {
      const studyId = c.req.param("studyId");
      if (!STUDY_ID_PATTERN.test(studyId)) throw notFound("Study");
      return c.json(await getStudy(deps, c.get("owner"), studyId), 200);
    });
}
