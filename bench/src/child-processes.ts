import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "@study-uploader/shared";

/*
 * Every process the bench starts is registered here and killed when the bench exits, however it exits:
 * normally, on an error, or on Ctrl-C / SIGTERM.
 */

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const children = new Set<ChildProcess>();
let hooksInstalled = false;
let stopping = false;

function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
}

/** `onSignal` runs first (say, to close the browser), then every child is killed and the process exits. */
export function installExitHooks(onSignal: () => Promise<void>): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllNow);
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C reaches pnpm, tsx and us alike, and tsx relays it again: stop once, ignore the echoes.
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the bench and its child processes\n`);
    const deadline = setTimeout(() => process.exit(130), 5_000);
    deadline.unref();
    void onSignal()
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return trackChild(spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options }));
}

/** Runs one of the bench's own entry points (`src/*-main.ts`) through tsx, from the bench folder where tsx resolves. */
export function spawnBenchScript(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  return spawnTracked(process.execPath, ["--import", "tsx", `src/${script}`, ...args], {
    cwd: BENCH_DIR,
    env: { ...process.env, ...env },
  });
}

/** Stops a child politely, then firmly if it lingers. */
export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Resolves with the child's output once it matches `pattern`; rejects if the child exits or time runs out first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) finish(undefined, match);
    };
    const onExit = (code: number | null) => finish(new Error(`process exited (${code}) before ${pattern}:\n${output}`));
    function finish(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(match!);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Keeps a child's stderr for error messages without letting its pipe fill up. */
export function drainOutput(child: ChildProcess, keepChars = 4_000): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-keepChars);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail;
}

/** A port free right now; the caller binds it moments later (fine on a machine of our own). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs = 30_000, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive()) throw new Error(`${url}: the process exited`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}
