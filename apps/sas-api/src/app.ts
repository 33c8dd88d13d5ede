import { existsSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { serveStatic } from "@hono/node-server/serve-static";
import { API_ROUTES, MAX_JSON_BODY_BYTES, STORAGE_PATH_PREFIX } from "@study-uploader/shared";
import { isAllowedHost, type AllowedHost } from "./allowed-hosts.js";
import type { AppDeps, AppEnv, RouteDeps } from "./app-env.js";
import { authenticate } from "./auth.js";
import { VERIFY_SLOT_WAIT_MS } from "./domain/verify-uploads.js";
import { ApiProblem, handleError, noRoute, problemResponse } from "./errors.js";
import { cachedJwks } from "./jwks-cache.js";
import { rateLimit } from "./rate-limit.js";
import { RATE_LIMIT_SETTINGS, forEachBucket } from "./rate-limit-settings.js";
import { batchRoutes } from "./routes/batches.routes.js";
import { configRoutes } from "./routes/config.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { studyRoutes } from "./routes/studies.routes.js";
import { Semaphore } from "./semaphore.js";

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function apiRoutes(appDeps: AppDeps) {
  const deps: RouteDeps = {
    ...appDeps,
    now: appDeps.now ?? Date.now,
    // One app per process: its slots bound the memory this instance's commits hold while they read uploads.
    verifySlots: appDeps.verifySlots ?? new Semaphore(appDeps.config.commitVerifyConcurrency, VERIFY_SLOT_WAIT_MS),
  };
  const { auth, corsOrigins, rateLimits } = deps.config;
  const jwks = auth?.kind === "jwks" ? cachedJwks(auth.jwksUrl, deps.logger, { now: deps.now }) : undefined;
  const identify = authenticate(auth, jwks);
  // One limiter per bucket, however many routes count against it.
  const limiters = forEachBucket((bucket) => rateLimit(rateLimits[bucket], RATE_LIMIT_SETTINGS[bucket].what, deps.now));
  const api = new Hono<AppEnv>()
    .use(
      "/api/*",
      cors({
        origin: corsOrigins,
        allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
        allowHeaders: ["Content-Type", "Authorization"],
        maxAge: 600,
      }),
    )
    // Health and config stay public: load balancers and the sign-in screen need them before any token exists.
    .use("/api/batches/*", ...identify)
    .use("/api/studies/*", ...identify)
    .use(
      "/api/*",
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
    .use("/api/*", async (c, next) => {
      if (c.req.method === "POST" && !JSON_CONTENT_TYPE.test(c.req.header("content-type") ?? "")) {
        throw new ApiProblem(415, "unsupported_media_type", "Send the request body as application/json");
      }
      await next();
    });
  // Every route that costs storage calls counts against its bucket (API_ROUTES says which); config costs none.
  for (const route of Object.values(API_ROUTES)) {
    if (route.bucket) api.on(route.method, route.path, limiters[route.bucket]);
  }
  return api
    .route("/", healthRoutes(deps))
    .route("/", configRoutes(deps))
    .route("/", batchRoutes(deps))
    .route("/", studyRoutes(deps));
}

/**
 * For the API and the served web app (a Vite SPA: module scripts only, some inline styles). Browsers may
 * talk to and show images from this origin and the storage origin (null: storage is on this origin too), and
 * nothing may frame the app.
 */
function securityHeaders(storageOrigin: string | null) {
  const storage = storageOrigin === null ? [] : [storageOrigin];
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      // hash-wasm compiles its MD5 WebAssembly at run time; this allows wasm only, not eval of JavaScript.
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      connectSrc: ["'self'", ...storage],
      imgSrc: ["'self'", "blob:", "data:", ...storage],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
  });
}

/**
 * Refuses requests whose Host header names another server (DNS rebinding: a web page whose name now resolves to
 * 127.0.0.1 would otherwise read this API as its own origin). Browsers always send Host; a request without
 * one (HTTP/1.0, in-process) comes from no web page, so it is served.
 */
function hostCheck(allowed: readonly AllowedHost[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const host = c.req.header("host");
    if (host !== undefined && !isAllowedHost(host, allowed)) {
      throw new ApiProblem(
        403,
        "host_not_allowed",
        `This server does not answer to the host name ${JSON.stringify(host.slice(0, 100))}; if it should ` +
          "(e.g. served on a LAN with HOST=0.0.0.0), add that name to ALLOWED_HOSTS",
      );
    }
    await next();
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

  if (deps.config.allowedHosts) app.use(hostCheck(deps.config.allowedHosts));

  const routes = app.route("/", apiRoutes(deps));
  // Before the web app, whose index.html fallback would otherwise answer unknown API paths, and storage paths a
  // front door did not forward (it forwards only the browser's containers) with a page on this origin.
  app.all("/api/*", noRoute);
  app.all(STORAGE_PATH_PREFIX, noRoute);
  app.all(`${STORAGE_PATH_PREFIX}/*`, noRoute);
  if (existsSync(path.join(deps.config.webDistDir, "index.html"))) app.route("/", webApp(deps.config.webDistDir));

  app.notFound(noRoute);
  app.onError((error, c) => handleError(error, c, deps.logger));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;
