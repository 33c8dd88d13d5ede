import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** An account the local Azurite accepts: the only one, its key known to this install alone. */
export interface AzuriteAccount {
  name: string;
  key: string;
}

/**
 * The account name Azurite's clients expect by default; the key is never its published one (anyone who can
 * reach the port, a DNS-rebound web page included, could sign with that): AZURITE_ACCOUNTS replaces it.
 */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";

/** A key as storage issues them: 64 random bytes, base64 (no ':' or ';', which AZURITE_ACCOUNTS separates on). */
const ACCOUNT_KEY_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

/** A fresh account with a random key: for an Azurite whose data lives and dies with one run. */
export function newAzuriteAccount(): AzuriteAccount {
  return { name: AZURITE_ACCOUNT_NAME, key: randomBytes(64).toString("base64") };
}

/** Where the account key of a data directory is kept, beside Azurite's own files. */
export const azuriteKeyFile = (dataDir: string) => path.join(dataDir, "account-key");

/**
 * The account key kept with a data directory, made (readable by its owner alone) the first time: one key per
 * install, for the API and the sweep only. A key file that is not a key stops the start rather than fall back.
 */
export function azuriteAccountKeptIn(dataDir: string): AzuriteAccount {
  mkdirSync(dataDir, { recursive: true });
  const file = azuriteKeyFile(dataDir);
  if (!existsSync(file)) {
    // Written aside, then linked into place: a link never overwrites, so processes starting at once all end up
    // with the one key linked first, and none reads a half-written file.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(draft, `${newAzuriteAccount().key}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  const key = readFileSync(file, "utf8").trim();
  if (!ACCOUNT_KEY_PATTERN.test(key)) {
    throw new Error(`${file} does not hold an account key (64 bytes, base64); delete it to make a new one`);
  }
  return { name: AZURITE_ACCOUNT_NAME, key };
}

/** AZURITE_ACCOUNTS for the child: this account and no other (Azurite's published default account goes). */
export const azuriteAccountsEnv = (account: AzuriteAccount) => `${account.name}:${account.key}`;

export function azuriteConnectionString(blobEndpoint: string, account: AzuriteAccount): string {
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${account.name}`,
    `AccountKey=${account.key}`,
    `BlobEndpoint=${blobEndpoint}`,
  ].join(";");
}

export interface AzuriteOptions {
  port: number;
  /** Directory for data that survives a restart; omit for in-memory storage. */
  location?: string;
  /** The one account it accepts; by default the key kept with `location`, or a fresh one for in-memory data. */
  account?: AzuriteAccount;
  host?: string;
  /** Serve HTTPS with this PEM certificate and key and accept Entra-style bearer tokens (`--oauth basic`). */
  tls?: { certPath: string; keyPath: string };
}

export interface RunningAzurite {
  blobEndpoint: string;
  account: AzuriteAccount;
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
  const account = options.account ?? (options.location ? azuriteAccountKeptIn(options.location) : newAzuriteAccount());
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AZURITE_ACCOUNTS: azuriteAccountsEnv(account) },
  });
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
  const blobEndpoint = `${options.tls ? "https" : "http"}://${host}:${port}/${account.name}`;
  return {
    blobEndpoint,
    account,
    connectionString: azuriteConnectionString(blobEndpoint, account),
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
