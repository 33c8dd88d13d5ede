import { existsSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { serveStatic } from "@hono/node-server/serve-static";
import { MAX_JSON_BODY_BYTES } from "@study-uploader/shared";
import type { AppDeps, AppEnv } from "./app-env.js";
import { authenticate, cachedJwks } from "./auth.js";
import { ApiProblem, handleError, noRoute, problemResponse } from "./errors.js";
import { rateLimit } from "./rate-limit.js";
import { batchRoutes } from "./routes/batches.routes.js";
import { configRoutes } from "./routes/config.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { studyRoutes } from "./routes/studies.routes.js";

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function apiRoutes(deps: AppDeps) {
  const { auth, corsOrigins, rateLimits } = deps.config;
  const identify = authenticate(auth, auth?.kind === "jwks" ? cachedJwks(auth.jwksUrl, deps.logger) : undefined);
  return (
    new Hono<AppEnv>()
      .use(
        cors({
          origin: corsOrigins,
          allowMethods: ["GET", "POST", "OPTIONS"],
          allowHeaders: ["Content-Type", "Authorization"],
          maxAge: 600,
        }),
      )
      // Health and config stay public: load balancers and the sign-in screen need them before any token exists.
      .use("/batches/*", ...identify)
      .use("/studies/*", ...identify)
      .use(
        bodyLimit({
          maxSize: MAX_JSON_BODY_BYTES,
          // The unread rest of the body leaves the connection unusable: tell the client not to reuse it.
          onError: (c) =>
            problemResponse(
              c,
              new ApiProblem(
                413,
                "payload_too_large",
                `Request body is larger than ${MAX_JSON_BODY_BYTES} bytes`,
                undefined,
                { Connection: "close" },
              ),
            ),
        }),
      )
      .use(async (c, next) => {
        if (c.req.method === "POST" && !JSON_CONTENT_TYPE.test(c.req.header("content-type") ?? "")) {
          throw new ApiProblem(415, "unsupported_media_type", "Send the request body as application/json");
        }
        await next();
      })
      .route("/health", healthRoutes(deps))
      .route("/config", configRoutes(deps))
      .route("/batches", batchRoutes(deps, rateLimit(rateLimits.batchesPerMinute, "batch")))
      .route("/studies", studyRoutes(deps, rateLimit(rateLimits.commitsPerMinute, "commit")))
  );
}

/**
 * For the API and the served web app (a Vite SPA: module scripts only, some inline styles). Browsers may
 * talk to and show images from this origin and the storage origin, and nothing may frame the app.
 */
function securityHeaders(storageOrigin: string) {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // hash-wasm compiles its MD5 WebAssembly at run time; this allows wasm only, not eval of JavaScript.
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      connectSrc: ["'self'", storageOrigin],
      imgSrc: ["'self'", "blob:", "data:", storageOrigin],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
  });
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
  app.use(securityHeaders(deps.storage.sas.publicOrigin));
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
  // Before the web app, whose index.html fallback would otherwise answer unknown API paths.
  app.all("/api/*", noRoute);
  if (existsSync(path.join(deps.config.webDistDir, "index.html"))) app.route("/", webApp(deps.config.webDistDir));

  app.notFound(noRoute);
  app.onError((error, c) => handleError(error, c, deps.logger));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
