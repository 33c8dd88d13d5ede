import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { azuriteConnectionString } from "./config.js";

export interface AzuriteOptions {
  port: number;
  /** Directory for data that survives a restart; omit for in-memory storage. */
  location?: string;
  host?: string;
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
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`Azurite exited with code ${code}: ${output.trim()}`)));
    child.once("error", reject);
  });
  const blobEndpoint = `http://${host}:${port}/devstoreaccount1`;
  return {
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
