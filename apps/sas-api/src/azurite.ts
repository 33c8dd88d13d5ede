import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import path from "node:path";

/** Azurite's well-known development account (from Azurite's README); not a secret. */
export const AZURITE_ACCOUNT = {
  name: "devstoreaccount1",
  key: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
};

export function azuriteConnectionString(blobEndpoint: string): string {
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${AZURITE_ACCOUNT.name}`,
    `AccountKey=${AZURITE_ACCOUNT.key}`,
    `BlobEndpoint=${blobEndpoint}`,
  ].join(";");
}

export interface AzuriteOptions {
  port: number;
  /** Directory for data that survives a restart; omit for in-memory storage. */
  location?: string;
  host?: string;
  /** Serve HTTPS with this PEM certificate and key and accept Entra-style bearer tokens (`--oauth basic`). */
  tls?: { certPath: string; keyPath: string };
}

export interface RunningAzurite {
  blobEndpoint: string;
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function azuriteBlobBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist/src/blob/main.js");
}

/** Starts Azurite's blob service as a child process and resolves once it listens (port 0 picks a free port). */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const host = options.host ?? "127.0.0.1";
  const args = [
    azuriteBlobBin(),
    "--blobHost",
    host,
    "--blobPort",
    String(options.port),
    // The SDK speaks a newer service version than Azurite 3.37 knows; the calls we make are supported.
    "--skipApiVersionCheck",
    "--loose",
    "--silent",
  ];
  if (options.tls) {
    // Basic OAuth checks a token's shape, issuer, audience and lifetime, not its signature; it needs HTTPS.
    args.push("--cert", options.tls.certPath, "--key", options.tls.keyPath, "--oauth", "basic");
  }
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const outputSeen = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          child.stdout.off("data", check);
          child.stderr.off("data", check);
          resolve(match);
        }
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      check();
    });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const port = await Promise.race([
    outputSeen(/successfully listens on https?:\/\/[^:]+:(\d+)/).then((match) => Number(match[1])),
    exited.then(() => Promise.reject(new Error(`Azurite exited with code ${child.exitCode}: ${output.trim()}`))),
    new Promise<never>((_, reject) => child.once("error", reject)),
  ]);
  const blobEndpoint = `${options.tls ? "https" : "http"}://${host}:${port}/devstoreaccount1`;
  return {
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      // Azurite saves its data as it closes, then waits for clients' keep-alive connections to end, which can
      // take forever: once it says it closed (or after a grace period), it is safe to kill.
      const graceOver = new Promise((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([exited, outputSeen(/successfully closed/), graceOver]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
