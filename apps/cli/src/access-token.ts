import { exec } from "node:child_process";
import type { AccessTokenProvider } from "@study-uploader/shared";

/** A token is fetched again this long before it expires, so no request leaves with one about to lapse. */
const RENEW_BEFORE_MS = 60_000;
/** A token that does not say when it expires (not a JWT) is fetched again after this long. */
const OPAQUE_TOKEN_MS = 5 * 60_000;

/** The expiry (ms) a JWT's payload names, or null when the token is not a JWT with an `exp`. */
export function jwtExpiryMs(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** A `--token-command` that failed: the run stops with exit 2 and this message. */
export class TokenCommandError extends Error {
  override readonly name = "TokenCommandError";
}

function runTokenCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    exec(command, { timeout: 60_000, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
      const token = stdout.trim();
      if (error) reject(new TokenCommandError(`--token-command failed: ${stderr.trim() || error.message}`));
      else if (!token || /\s/.test(token)) reject(new TokenCommandError("--token-command printed no single token"));
      else resolve(token);
    });
  });
}

/**
 * The bearer token for the API: `--token-command`'s output, run again when the token is near its expiry (a JWT's
 * `exp`, else every 5 minutes); else `STUDY_UPLOADER_TOKEN`; else none (an open API needs none).
 */
export function accessTokenProvider(
  tokenCommand: string | null,
  env: Record<string, string | undefined>,
  now: () => number = Date.now,
): AccessTokenProvider {
  if (!tokenCommand) {
    const token = env.STUDY_UPLOADER_TOKEN?.trim() || null;
    return async () => token;
  }
  let current: { token: string; renewAt: number } | null = null;
  let running: Promise<string> | null = null;
  return async () => {
    if (current && now() < current.renewAt) return current.token;
    running ??= runTokenCommand(tokenCommand)
      .then((token) => {
        const expiry = jwtExpiryMs(token);
        current = { token, renewAt: expiry === null ? now() + OPAQUE_TOKEN_MS : expiry - RENEW_BEFORE_MS };
        return token;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
}
