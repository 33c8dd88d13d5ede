import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

/** The API as its own process, so that what it costs (memory) is its own and can be read from outside. */
export interface ApiProcess {
  baseUrl: string;
  post(path: string, body: unknown): Promise<Response>;
  /** The highest resident memory the process has had so far (Linux's VmHWM), in bytes. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

const API_DIR = path.resolve(import.meta.dirname, "..");
const STARTUP_TIMEOUT_MS = 30_000;

/** One `Vm…` line of /proc/PID/status, which Linux gives in kB. */
function procStatusBytes(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(/(\d+)\s*kB/.exec(line)?.[1]) * 1024;
}

/**
 * `src/main.ts` through tsx, as `pnpm dev` runs it, open, in containers of its own, with `env` on top (limits to
 * test). Against the given storage, or (null) the Azurite it starts itself, as `pnpm start` does.
 */
export async function startApiProcess(
  connectionString: string | null,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      ...(connectionString !== null && {
        AZURE_STORAGE_CONNECTION_STRING: connectionString,
        // Azurite on a connection string looks like a real account to main.ts: open on purpose.
        ALLOW_ANONYMOUS: "true",
      }),
      STORAGE_CONTAINER_PREFIX: `m${randomBytes(4).toString("hex")}-`,
      WEB_DIST_DIR: "/nonexistent",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`API did not start; output:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`API exited with ${code}; output:\n${output}`)));
  });
  return {
    baseUrl,
    post: (to, body) =>
      fetch(baseUrl + to, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    peakRssBytes: () => procStatusBytes(child.pid!, "VmHWM"),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
