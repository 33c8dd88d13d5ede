import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AZURITE_ACCOUNT_NAME,
  azuriteConnectionString,
  startAzurite,
  type RunningAzurite,
} from "@study-uploader/sas-api/azurite";
import { STORAGE_PATH_PREFIX, browserContainerPaths, errorMessage } from "@study-uploader/shared";
import { apiEnv } from "./bench-topology.js";
import { drainOutput, findFreePort, spawnTracked, stopChild, trackChild, waitForHttp } from "./child-processes.js";
import { selfSignedCertificate, startFrontDoor, type FrontDoor } from "./front-door-proxy.js";
import { LARGE_MAX_FILE_BYTES, type LargeStrategy, type LargeStrategySpec } from "./large-plan.js";
import { createSharedLink } from "./link-model.js";
import type { NetworkProfile } from "./network-profiles.js";
import { createRequestLog, type RequestLog } from "./request-log.js";
import { startShapingProxy, type ShapingProxy } from "./shaping-proxy.js";
import type { ShapedServer } from "./bench-topology.js";

/*
 * The large-file bench's servers: one API per strategy (built JavaScript, its own settings), Azurite on disk (a run
 * stores tens of GiB; in memory that would not fit), and three request logs:
 *
 *   Chromium ──shaping proxy──▶ API (cross-origin strategies)     ──counting proxy──▶ Azurite   (API log)
 *            ──shaping proxy──▶ Azurite (SAS uploads; browser log: preflights, Put Blocks)
 *            ══front door (TLS, HTTP/2)══▶ API and /storage → Azurite   (gateway log, every request)
 *
 * All shaped legs share one link per profile, as in the default bench.
 */

const AZURITE_ACCOUNT_PATH = `/${AZURITE_ACCOUNT_NAME}`;

export interface LargeTopology {
  server(strategy: LargeStrategy): ShapedServer;
  /** Requests the browser sent to storage cross-origin (preflights included). */
  browserStorageLog: RequestLog;
  /** Every request the browser sent through the front doors (all gateway strategies). */
  gatewayLog: RequestLog;
  /** What the APIs asked of storage (and storage's own reads for Put Block From URL, if it makes them over HTTP). */
  apiStorageLog: RequestLog;
  setProfile(profile: NetworkProfile): void;
  stop(): Promise<void>;
}

function builtApiMain(): string {
  return fileURLToPath(import.meta.resolve("@study-uploader/sas-api/main"));
}

export async function startLargeTopology(
  specs: readonly LargeStrategySpec[],
  initialProfile: NetworkProfile,
  log: (line: string) => void,
): Promise<LargeTopology> {
  let link = createSharedLink(initialProfile);
  const proxies: Array<ShapingProxy | FrontDoor> = [];
  const children: ChildProcess[] = [];
  const servers = new Map<LargeStrategy, ShapedServer>();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "study-uploader-bench-azurite-"));
  let azurite: RunningAzurite | undefined;
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await Promise.all(proxies.map((p) => p.close()));
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const browserStorageLog = createRequestLog();
  const gatewayLog = createRequestLog();
  const apiStorageLog = createRequestLog();
  try {
    azurite = await startAzurite({ port: 0, location: dataDir });
    trackChild(azurite.process);
    drainOutput(azurite.process);
    const azuriteOrigin = new URL(azurite.blobEndpoint).origin;
    const storageProxy = await startShapingProxy({
      upstream: azuriteOrigin,
      link,
      onExchange: browserStorageLog.observe,
    });
    // Unshaped: the API sits beside storage. Only counts, but Azurite finds a copy source (Put Block From URL, Copy
    // Blob From URL) only under its own origin (it answers 404 for this proxy's), so the source's origin is put back.
    let apiSideOrigin = "";
    const apiSide = await startShapingProxy({
      upstream: azuriteOrigin,
      rttMs: 0,
      uploadBitsPerSecond: Number.POSITIVE_INFINITY,
      onExchange: (req, res) => {
        const source = req.headers["x-ms-copy-source"];
        if (typeof source === "string" && source.startsWith(apiSideOrigin))
          req.headers["x-ms-copy-source"] = azuriteOrigin + source.slice(apiSideOrigin.length);
        apiStorageLog.observe(req, res);
      },
    });
    apiSideOrigin = apiSide.url;
    proxies.push(storageProxy, apiSide);
    const connectionString = azuriteConnectionString(`${apiSide.url}${AZURITE_ACCOUNT_PATH}`, azurite.account);

    const ports = new Map<LargeStrategy, number>();
    for (const spec of specs) ports.set(spec.name, await findFreePort());
    const fronts = new Map<LargeStrategy, { origin: string; server: ShapedServer["proxyStats"]; blob: string }>();
    const tls = selfSignedCertificate();
    for (const spec of specs) {
      const apiUrl = `http://127.0.0.1:${ports.get(spec.name)}`;
      if (spec.gateway) {
        const door = await startFrontDoor({
          apiOrigin: apiUrl,
          storageOrigin: azuriteOrigin,
          storageContainers: browserContainerPaths(AZURITE_ACCOUNT_PATH, "study-"),
          link,
          tls,
          onExchange: gatewayLog.observe,
        });
        proxies.push(door);
        fronts.set(spec.name, {
          origin: door.url,
          server: door.stats.api,
          blob: `${STORAGE_PATH_PREFIX}${AZURITE_ACCOUNT_PATH}`,
        });
      } else {
        const proxy = await startShapingProxy({ upstream: apiUrl, link });
        proxies.push(proxy);
        fronts.set(spec.name, {
          origin: proxy.url,
          server: proxy.stats,
          blob: `${storageProxy.url}${AZURITE_ACCOUNT_PATH}`,
        });
      }
    }
    const corsOrigins = [...fronts.values()].map((f) => f.origin);
    await Promise.all(
      specs.map(async (spec) => {
        const port = ports.get(spec.name)!;
        const front = fronts.get(spec.name)!;
        const child = spawnTracked(process.execPath, [builtApiMain()], {
          env: {
            ...apiEnv({
              port,
              concurrency: 6,
              http2Concurrency: 16,
              connectionString,
              publicBlobEndpoint: front.blob,
              corsOrigins,
            }),
            MAX_FILE_BYTES: String(LARGE_MAX_FILE_BYTES),
            ...spec.env,
          },
        });
        children.push(child);
        const output = drainOutput(child);
        try {
          await waitForHttp(`http://127.0.0.1:${port}/api/health`, 60_000, () => child.exitCode === null);
        } catch (error) {
          throw new Error(`the API for ${spec.name} did not start: ${errorMessage(error)}\n${output()}`, {
            cause: error,
          });
        }
        servers.set(spec.name, {
          origin: front.origin,
          directUrl: `http://127.0.0.1:${port}`,
          pid: child.pid!,
          proxyStats: front.server,
        });
        log(`  API ${spec.name} pid ${child.pid} at ${front.origin}: ${spec.about}`);
      }),
    );
    log(`  Azurite on disk at ${dataDir}; API → storage through ${apiSide.url} (counted)`);
    return {
      server(strategy) {
        const server = servers.get(strategy);
        if (!server) throw new Error(`no server for ${strategy}`);
        return server;
      },
      browserStorageLog,
      gatewayLog,
      apiStorageLog,
      setProfile(profile) {
        link = createSharedLink(profile);
        for (const proxy of proxies) if (proxy !== apiSide) proxy.setLink(link);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
