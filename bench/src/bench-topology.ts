import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AZURITE_ACCOUNT_NAME, startAzurite, type RunningAzurite } from "@study-uploader/sas-api/azurite";
import { NO_RATE_LIMITS_ENV } from "@study-uploader/sas-api/rate-limit-settings";
import { DEFAULT_LIMITS, STORAGE_PATH_PREFIX, browserContainerPaths, errorMessage } from "@study-uploader/shared";
import {
  GATEWAY_CONCURRENCY,
  isGatewayStrategy,
  PRODUCT_CONCURRENCY,
  type GatewayStrategy,
  type ProductStrategy,
  type StrategyName,
  uploadConcurrency,
} from "./bench-plan.js";
import {
  drainOutput,
  findFreePort,
  spawnBenchScript,
  spawnTracked,
  stopChild,
  trackChild,
  waitForHttp,
  waitForOutput,
} from "./child-processes.js";
import {
  DEFAULT_CONNECTION_WINDOW_BYTES,
  DEFAULT_STREAM_WINDOW_BYTES,
  selfSignedCertificate,
  startFrontDoor,
  type FrontDoor,
} from "./front-door-proxy.js";
import { BENCH_JWT_SECRET } from "./bench-users.js";
import { createSharedLink } from "./link-model.js";
import type { NetworkProfile } from "./network-profiles.js";
import { startShapingProxy, type ShapingProxy, type ShapingProxyStats } from "./shaping-proxy.js";

/** Azurite names its account in the path. */
const AZURITE_ACCOUNT_PATH = `/${AZURITE_ACCOUNT_NAME}`;

/*
 * Everything a run talks to, laid out as in production:
 *
 *   Chromium ──proxy──▶ API (one process per UPLOAD_CONCURRENCY; serves the web app; page origin = its proxy)
 *            ──proxy──▶ Azurite (SAS URLs name this proxy through PUBLIC_BLOB_ENDPOINT; a different origin)
 *            ──proxy──▶ relay (old design; serves its own page) ──direct, unshaped──▶ Azurite
 *            ══front door (TLS, HTTP/2)══▶ API (one per gateway strategy; page origin = the front door)
 *                                      ══▶ Azurite under /storage (SAS URLs name the same origin)
 *
 * All proxies share ONE SharedLink per profile: the uplink is the researcher's, whichever server a byte goes to.
 * Proxy ports never change, so the URLs baked into the APIs' environment stay valid; a profile switch only
 * swaps the link.
 */

/** The API as built (plain JavaScript, as `pnpm start` runs it), found through its package export. */
function builtApiMain(): string {
  const main = fileURLToPath(import.meta.resolve("@study-uploader/sas-api/main"));
  if (!existsSync(main))
    throw new Error(
      `no built API at ${main}: pnpm --filter @study-uploader/sas-api build (pnpm bench does, unless --skip-build)`,
    );
  return main;
}

/** A server process the browser reaches through a shaping proxy. */
export interface ShapedServer {
  /** The proxy's origin: what the browser loads. */
  origin: string;
  /** The server itself, unshaped (for load tests). */
  directUrl: string;
  pid: number;
  /** The proxy's counters: request body bytes the server received. */
  proxyStats: ShapingProxyStats;
  /** The counters of the way to storage the page's uploads take (none for the relay, which stores itself). */
  storageStats?: ShapingProxyStats;
}

export interface BenchTopology {
  azurite: RunningAzurite;
  storageProxy: ShapingProxy;
  /** The front doors' HTTP/2 windows (all alike). */
  gatewayWindows: { streamWindowBytes: number; connectionWindowBytes: number };
  server(strategy: StrategyName): ShapedServer;
  setProfile(profile: NetworkProfile): void;
  stop(): Promise<void>;
}

interface StartedServer {
  child: ChildProcess;
  origin: string;
  stats: ShapingProxyStats;
  storageStats?: ShapingProxyStats;
  port: number;
}

/** Rate limits off (the bench creates hundreds of studies a minute), anonymous, quiet. */
export function apiEnv(options: {
  port: number;
  concurrency: number;
  http2Concurrency: number;
  connectionString: string;
  publicBlobEndpoint: string;
  corsOrigins: string[];
  /** Require HS256 tokens signed with this (each run a user of its own); open (one anonymous owner) without. */
  jwtSecret?: string;
}) {
  return {
    ...process.env,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    AZURE_STORAGE_CONNECTION_STRING: options.connectionString,
    CONFIGURE_STORAGE_CORS: "true",
    ALLOW_ANONYMOUS: "true",
    UPLOAD_CONCURRENCY: String(options.concurrency),
    UPLOAD_CONCURRENCY_HTTP2: String(options.http2Concurrency),
    PUBLIC_BLOB_ENDPOINT: options.publicBlobEndpoint,
    CORS_ORIGINS: options.corsOrigins.join(","),
    // With a user per run (bench-users.ts) reuse stays on, as shipped: no run's owner has an image yet, and the
    // dedupe case measures it. Open, every run sends the same kept files as the one anonymous owner, and with reuse
    // on only the first run would upload anything.
    ...(options.jwtSecret ? { AUTH_JWT_SECRET: options.jwtSecret } : { REUSE_STORED_IMAGES: "false" }),
    // A measuring tool: thousands of requests from one address in minutes, none of them abuse.
    ...NO_RATE_LIMITS_ENV,
    LOG_LEVEL: "warn",
  };
}

export async function startBenchTopology(
  initialProfile: NetworkProfile,
  log: (line: string) => void,
  options: { slowStart?: boolean } = {},
): Promise<BenchTopology> {
  const { slowStart } = options;
  const apiMain = builtApiMain();
  let link = createSharedLink(initialProfile);
  const proxies: Array<ShapingProxy | FrontDoor> = [];
  const started = new Map<StrategyName, StartedServer>();
  const azurite = await startAzurite({ port: 0 });
  trackChild(azurite.process);
  drainOutput(azurite.process);

  const stop = async () => {
    await Promise.all([...started.values()].map((s) => stopChild(s.child)));
    await Promise.all(proxies.map((p) => p.close()));
    await azurite.stop();
  };

  try {
    const azuriteOrigin = new URL(azurite.blobEndpoint).origin;
    const storageProxy = await startShapingProxy({ upstream: azuriteOrigin, link, slowStart });
    proxies.push(storageProxy);

    // Ports first: every API must list every page origin, because each one rewrites storage's CORS rules at start.
    const crossOrigin = Object.keys(PRODUCT_CONCURRENCY) as ProductStrategy[];
    const gateways = Object.keys(GATEWAY_CONCURRENCY) as GatewayStrategy[];
    const apiPorts = new Map<ProductStrategy | GatewayStrategy, number>();
    for (const strategy of [...crossOrigin, ...gateways]) apiPorts.set(strategy, await findFreePort());
    const apiUrl = (strategy: ProductStrategy | GatewayStrategy) => `http://127.0.0.1:${apiPorts.get(strategy)}`;
    const fronts = new Map<
      ProductStrategy | GatewayStrategy,
      { origin: string; stats: ShapingProxyStats; storageStats: ShapingProxyStats; blobEndpoint: string }
    >();
    for (const strategy of crossOrigin) {
      const proxy = await startShapingProxy({ upstream: apiUrl(strategy), link, slowStart });
      proxies.push(proxy);
      fronts.set(strategy, {
        origin: proxy.url,
        stats: proxy.stats,
        storageStats: storageProxy.stats,
        blobEndpoint: `${storageProxy.url}${AZURITE_ACCOUNT_PATH}`,
      });
    }
    const tls = selfSignedCertificate();
    for (const strategy of gateways) {
      const door = await startFrontDoor({
        apiOrigin: apiUrl(strategy),
        storageOrigin: azuriteOrigin,
        // The APIs run with the default STORAGE_CONTAINER_PREFIX.
        storageContainers: browserContainerPaths(AZURITE_ACCOUNT_PATH, "study-"),
        link,
        slowStart,
        tls,
      });
      proxies.push(door);
      // A path on the page's own origin, as a Front Door deployment sets it: upload URLs are same-origin.
      fronts.set(strategy, {
        origin: door.url,
        stats: door.stats.api,
        storageStats: door.stats.storage,
        blobEndpoint: `${STORAGE_PATH_PREFIX}${AZURITE_ACCOUNT_PATH}`,
      });
    }
    const corsOrigins = [...fronts.values()].map((f) => f.origin);

    // In parallel: each sets the same CORS rules (every page origin) and creates the same containers if missing.
    await Promise.all(
      [...fronts.entries()].map(async ([strategy, front]) => {
        const port = apiPorts.get(strategy)!;
        // The pool the page runs: over HTTP/1.1 cross-origin, over HTTP/2 through a gateway (HTTP/1.1 pool stays 6).
        const concurrency = uploadConcurrency(strategy);
        const http2 = isGatewayStrategy(strategy);
        const child = spawnTracked(process.execPath, [apiMain], {
          env: apiEnv({
            port,
            concurrency: http2 ? DEFAULT_LIMITS.concurrency : concurrency,
            http2Concurrency: http2 ? concurrency : DEFAULT_LIMITS.http2Concurrency,
            connectionString: azurite.connectionString,
            publicBlobEndpoint: front.blobEndpoint,
            corsOrigins,
            jwtSecret: BENCH_JWT_SECRET,
          }),
        });
        const output = drainOutput(child);
        started.set(strategy, {
          child,
          origin: front.origin,
          stats: front.stats,
          storageStats: front.storageStats,
          port,
        });
        try {
          await waitForHttp(`http://127.0.0.1:${port}/api/health`, 60_000, () => child.exitCode === null);
        } catch (error) {
          throw new Error(`the API for ${strategy} did not start: ${errorMessage(error)}\n${output()}`, {
            cause: error,
          });
        }
        const setting = http2 ? "UPLOAD_CONCURRENCY_HTTP2" : "UPLOAD_CONCURRENCY";
        log(`  API ${strategy} (${setting}=${concurrency}) pid ${child.pid} at ${front.origin}`);
      }),
    );
    const gatewayWindows = {
      streamWindowBytes: DEFAULT_STREAM_WINDOW_BYTES,
      connectionWindowBytes: DEFAULT_CONNECTION_WINDOW_BYTES,
    };
    log(
      `  front doors: HTTP/2 stream window ${gatewayWindows.streamWindowBytes / 1024} KiB, connection window ${gatewayWindows.connectionWindowBytes / 1024} KiB`,
    );

    const relayPort = await findFreePort();
    const relayChild = spawnBenchScript("relay-main.ts", ["--port", String(relayPort)], {
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    });
    await waitForOutput(relayChild, /^relay /m, 30_000);
    drainOutput(relayChild);
    const relayProxy = await startShapingProxy({ upstream: `http://127.0.0.1:${relayPort}`, link, slowStart });
    proxies.push(relayProxy);
    started.set("relay", { child: relayChild, origin: relayProxy.url, stats: relayProxy.stats, port: relayPort });
    log(`  relay pid ${relayChild.pid} at ${relayProxy.url} → Azurite direct`);
    log(`  storage proxy ${storageProxy.url} → Azurite ${azuriteOrigin}`);

    return {
      azurite,
      storageProxy,
      gatewayWindows,
      server(strategy) {
        const server = started.get(strategy);
        if (!server?.child.pid) throw new Error(`no server for ${strategy}`);
        return {
          origin: server.origin,
          directUrl: `http://127.0.0.1:${server.port}`,
          pid: server.child.pid,
          proxyStats: server.stats,
          storageStats: server.storageStats,
        };
      },
      setProfile(profile) {
        link = createSharedLink(profile);
        for (const proxy of proxies) proxy.setLink(link);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
