import { existsSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { serveStatic } from "@hono/node-server/serve-static";
import { MAX_JSON_BODY_BYTES } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "./app-env.js";
import { ApiProblem, errorBody, handleError } from "./errors.js";
import { batchRoutes } from "./routes/batches.routes.js";
import { configRoutes } from "./routes/config.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { studyRoutes } from "./routes/studies.routes.js";

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function apiRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(
      bodyLimit({
        maxSize: MAX_JSON_BODY_BYTES,
        // The unread rest of the body leaves the connection unusable: tell the client not to reuse it.
        onError: (c) =>
          c.json(errorBody("payload_too_large", `Request body is larger than ${MAX_JSON_BODY_BYTES} bytes`), 413, {
            Connection: "close",
          }),
      }),
    )
    .use(async (c, next) => {
      if (c.req.method === "POST" && !JSON_CONTENT_TYPE.test(c.req.header("content-type") ?? "")) {
        throw new ApiProblem(415, "unsupported_media_type", "Send the request body as application/json");
      }
      // Until authentication is configured everyone is the same, anonymous owner.
      c.set("owner", "anonymous");
      await next();
    })
    .route("/health", healthRoutes(deps))
    .route("/config", configRoutes(deps))
    .route("/batches", batchRoutes(deps))
    .route("/studies", studyRoutes(deps));
}

/** Serves the built web app, falling back to index.html for client-side routes. */
function webApp(distDir: string) {
  const web = new Hono<AppEnv>();
  web.use(
    "/assets/*",
    serveStatic({
      root: distDir,
      onFound: (_path, c) => c.header("Cache-Control", "public, max-age=31536000, immutable"),
    }),
  );
  web.use("*", serveStatic({ root: distDir }));
  web.get("*", serveStatic({ root: distDir, path: "index.html" }));
  return web;
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.info("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  const routes = app.route("/api", apiRoutes(deps));
  app.all("/api/*", (c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));
  if (existsSync(path.join(deps.config.webDistDir, "index.html"))) app.route("/", webApp(deps.config.webDistDir));

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => handleError(error, c, deps.logger));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
