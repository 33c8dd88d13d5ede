import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  DEFAULT_BLOCK_BYTES,
  DEFAULT_BLOCK_THRESHOLD_BYTES,
  DEFAULT_LIMITS,
  MAX_BLOCK_BYTES,
  MAX_FILE_BYTES_LIMIT,
} from "@study-uploader/shared";
import { isLocalHostName, parseHost, type AllowedHost } from "./allowed-hosts.js";
import { RATE_LIMIT_SETTINGS, forEachRateLimitEnv } from "./rate-limit-settings.js";

// Three levels up from src/env.ts and from the bundled dist/main.js alike.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** A switch that is on unless set to "false" or "0". */
const onUnlessFalse = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v !== "false" && v !== "0");

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A positive integer with a ceiling; `why` says in a few words where the ceiling comes from. */
const positiveIntAtMost = (fallback: number, max: number, why: string) =>
  z.coerce.number().int().positive().max(max, `must be at most ${max} (${why})`).default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const csv = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
  );

const hostList = csv.transform((entries, ctx) => {
  if (!entries) return undefined;
  const hosts: AllowedHost[] = [];
  for (const entry of entries) {
    const host = parseHost(entry);
    if (host) hosts.push(host);
    else ctx.addIssue({ code: "custom", message: `"${entry}" is not a host name or host:port` });
  }
  return hosts;
});

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().default("127.0.0.1"),
    AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
    AZURE_STORAGE_ACCOUNT_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_JWKS_URL: z
      .url({ protocol: /^https?$/ })
      .refine(
        (url) => new URL(url).protocol === "https:" || isLocalHostName(new URL(url).hostname),
        // Whoever can change these keys in transit can sign in as anyone.
        "must be https (http only on localhost, 127.0.0.1 or [::1]): the keys it serves decide who may sign in",
      )
      .optional(),
    AUTH_ISSUER: optionalText,
    AUTH_AUDIENCE: optionalText,
    // HS256 needs a key at least as long as its hash: 32 bytes.
    AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    ALLOW_ANONYMOUS: booleanFromEnv,
    ...forEachRateLimitEnv((bucket) => nonNegativeInt(RATE_LIMIT_SETTINGS[bucket].defaultPerMinute)),
    // Absent: the larger of 1 GiB and MAX_FILE_BYTES (config.ts), so one largest file always fits a batch.
    MAX_BATCH_BYTES: z.coerce.number().int().positive().optional(),
    COMMIT_VERIFY_CONCURRENCY: positiveInt(4),
    AZURITE_BLOB_PORT: z.coerce.number().int().min(0).max(65535).default(10000),
    AZURITE_LOCATION: z.string().default(path.join(REPO_ROOT, ".data/azurite")),
    AZURITE_IN_MEMORY: booleanFromEnv,
    MAX_FILE_BYTES: positiveIntAtMost(
      DEFAULT_LIMITS.maxFileBytes,
      MAX_FILE_BYTES_LIMIT,
      "4 GiB: files above the block threshold are copied block by block, Put Block From URL",
    ),
    UPLOAD_BLOCK_THRESHOLD_BYTES: positiveInt(DEFAULT_BLOCK_THRESHOLD_BYTES),
    // The browser's pool follows the link (up to UPLOAD_CONCURRENCY[_HTTP2]).
    UPLOAD_CONCURRENCY_ADAPTIVE: onUnlessFalse,
    // An image its owner already has is copied in storage instead of sent again (see stored-images.ts).
    REUSE_STORED_IMAGES: onUnlessFalse,
    UPLOAD_BLOCK_BYTES: positiveIntAtMost(DEFAULT_BLOCK_BYTES, MAX_BLOCK_BYTES, "Put Block's limit").pipe(
      // Smaller blocks would cost a request per few kilobytes and reach the 50,000-block limit at 3 GiB.
      z.number().min(64 * 1024, "must be at least 65536 (64 KiB)"),
    ),
    MAX_FILES_PER_STUDY: positiveInt(DEFAULT_LIMITS.maxFiles),
    UPLOAD_CONCURRENCY: positiveInt(DEFAULT_LIMITS.concurrency),
    UPLOAD_CONCURRENCY_HTTP2: positiveIntAtMost(
      DEFAULT_LIMITS.http2Concurrency,
      100,
      "100: the streams Chromium and most servers allow on one HTTP/2 connection",
    ),
    SAS_TTL_SECONDS: positiveIntAtMost(
      DEFAULT_LIMITS.sasTtlSeconds,
      3600,
      "one hour: an upload URL lets anyone holding it write, and a refresh renews it",
    ),
    READ_SAS_TTL_SECONDS: positiveIntAtMost(900, 86_400, "one day: a read URL shows the image to anyone holding it"),
    READ_URL_WINDOW_SECONDS: positiveIntAtMost(3600, 86_400, "one day: a read URL lives up to this plus its TTL"),
    STAGING_TTL_HOURS: positiveIntAtMost(24, 168, "7 days: the longest a user delegation key lasts"),
    CORS_ORIGINS: csv,
    ALLOWED_HOSTS: hostList,
    CONFIGURE_STORAGE_CORS: booleanFromEnv,
    PUBLIC_BLOB_ENDPOINT: z
      .string()
      .refine(
        (v) => /^https?:\/\/[^/\s]/i.test(v) || /^\/[^/\s?#][^\s?#]*$/.test(v),
        "must be an http(s) URL, or a path on the app's own origin such as /storage/devstoreaccount1",
      )
      .refine((v) => !/^https?:/i.test(v) || URL.canParse(v), "is not a valid URL")
      .optional(),
    STORAGE_CONTAINER_PREFIX: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?-?$/, "lower-case letters, digits and dashes")
      .default("study-"),
    WEB_DIST_DIR: z.string().default(path.join(REPO_ROOT, "apps/web/dist")),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  })
  .superRefine(
    (env, ctx) => {
      if (env.AUTH_JWKS_URL && env.AUTH_JWT_SECRET) {
        ctx.addIssue({ code: "custom", path: [], message: "set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both" });
      }
      // Any app in the same tenant can get a token signed by these keys: only issuer + audience make it ours.
      if (env.AUTH_JWKS_URL && (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)) {
        ctx.addIssue({ code: "custom", path: ["AUTH_JWKS_URL"], message: "needs AUTH_ISSUER and AUTH_AUDIENCE" });
      }
      if (env.SAS_TTL_SECONDS > (env.STAGING_TTL_HOURS * 3600) / 4) {
        ctx.addIssue({
          code: "custom",
          path: ["SAS_TTL_SECONDS"],
          message:
            `must be at most a quarter of STAGING_TTL_HOURS (${env.STAGING_TTL_HOURS} h: at most ` +
            `${(env.STAGING_TTL_HOURS * 3600) / 4} s), so upload URLs expire long before the sweep may delete their batch`,
        });
      }
      if (env.AZURE_STORAGE_CONNECTION_STRING && env.AZURE_STORAGE_ACCOUNT_URL) {
        ctx.addIssue({
          code: "custom",
          path: [],
          message: "set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL, not both",
        });
      }
    },
    // Also when a single variable is invalid, so one start reports every problem.
    { when: () => true },
  );

export type Env = z.infer<typeof envSchema>;

/** Parses the environment once, at start; bad values stop the process with one message naming every variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message,
    );
    throw new Error(`Invalid environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}
