import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_LIMITS, IMAGE_TYPES, type UploadConfig } from "@study-uploader/shared";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
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

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  AZURE_STORAGE_ACCOUNT_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  // HS256 needs a key at least as long as its hash: 32 bytes.
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ALLOW_ANONYMOUS: booleanFromEnv,
  RATE_LIMIT_BATCHES_PER_MINUTE: nonNegativeInt(60),
  RATE_LIMIT_COMMITS_PER_MINUTE: nonNegativeInt(120),
  MAX_BATCH_BYTES: positiveInt(1024 * 1024 * 1024),
  AZURITE_BLOB_PORT: z.coerce.number().int().min(0).max(65535).default(10000),
  AZURITE_LOCATION: z.string().default(path.join(REPO_ROOT, ".data/azurite")),
  AZURITE_IN_MEMORY: booleanFromEnv,
  MAX_FILE_BYTES: positiveInt(DEFAULT_LIMITS.maxFileBytes),
  MAX_FILES_PER_STUDY: positiveInt(DEFAULT_LIMITS.maxFiles),
  UPLOAD_CONCURRENCY: positiveInt(DEFAULT_LIMITS.concurrency),
  SAS_TTL_SECONDS: positiveInt(DEFAULT_LIMITS.sasTtlSeconds),
  READ_SAS_TTL_SECONDS: positiveInt(900),
  STAGING_TTL_HOURS: positiveInt(24),
  CORS_ORIGINS: csv,
  CONFIGURE_STORAGE_CORS: booleanFromEnv,
  PUBLIC_BLOB_ENDPOINT: z.url().optional(),
  STORAGE_CONTAINER_PREFIX: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?-?$/, "lower-case letters, digits and dashes")
    .default("study-"),
  WEB_DIST_DIR: z.string().default(path.join(REPO_ROOT, "apps/web/dist")),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

/** How callers prove who they are: an OpenID provider's signing keys, or a shared HS256 secret. */
export type AuthConfig =
  | { kind: "jwks"; jwksUrl: string; issuer: string; audience: string }
  | { kind: "secret"; secret: string; issuer?: string; audience?: string };

export interface RateLimits {
  /** Per caller and per API instance; 0 turns the limit off. */
  batchesPerMinute: number;
  commitsPerMinute: number;
}

export interface ApiConfig {
  limits: UploadConfig;
  /** Largest total of a batch's declared file sizes. */
  maxBatchBytes: number;
  readSasTtlSeconds: number;
  stagingTtlHours: number;
  /** Origins allowed to call the API from a browser and to PUT straight to storage (storage CORS rules). */
  corsOrigins: string[];
  webDistDir: string;
  /** null: the API is open and every caller is the same anonymous owner. */
  auth: AuthConfig | null;
  rateLimits: RateLimits;
}

/** Parses the environment once, at start; a bad value stops the process with a message naming the variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

export function defaultCorsOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, "http://localhost:5173", "http://127.0.0.1:5173"];
}

export function apiConfigFromEnv(env: Env): ApiConfig {
  return {
    limits: {
      maxFileBytes: env.MAX_FILE_BYTES,
      maxFiles: env.MAX_FILES_PER_STUDY,
      allowedTypes: [...IMAGE_TYPES],
      concurrency: env.UPLOAD_CONCURRENCY,
      sasTtlSeconds: env.SAS_TTL_SECONDS,
    },
    maxBatchBytes: env.MAX_BATCH_BYTES,
    readSasTtlSeconds: env.READ_SAS_TTL_SECONDS,
    stagingTtlHours: env.STAGING_TTL_HOURS,
    corsOrigins: env.CORS_ORIGINS ?? defaultCorsOrigins(env.PORT),
    webDistDir: env.WEB_DIST_DIR,
    auth: authConfigFromEnv(env),
    rateLimits: {
      batchesPerMinute: env.RATE_LIMIT_BATCHES_PER_MINUTE,
      commitsPerMinute: env.RATE_LIMIT_COMMITS_PER_MINUTE,
    },
  };
}

function authConfigFromEnv(env: Env): AuthConfig | null {
  if (env.AUTH_JWKS_URL && env.AUTH_JWT_SECRET) {
    throw new Error("Invalid environment: set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both");
  }
  if (env.AUTH_JWKS_URL) {
    // Any app in the same tenant can get a token signed by these keys: only issuer + audience make it ours.
    if (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE) {
      throw new Error("Invalid environment: AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
    }
    return { kind: "jwks", jwksUrl: env.AUTH_JWKS_URL, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
  }
  if (env.AUTH_JWT_SECRET) {
    return { kind: "secret", secret: env.AUTH_JWT_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
  }
  return null;
}

/** Where blobs live: a real account (by key or by Entra identity) or the local Azurite that main starts. */
export type StorageTarget =
  | { kind: "connection-string"; connectionString: string }
  | { kind: "account-url"; accountUrl: string }
  | { kind: "local-azurite" };

export function storageTargetFromEnv(env: Env): StorageTarget {
  if (env.AZURE_STORAGE_CONNECTION_STRING && env.AZURE_STORAGE_ACCOUNT_URL) {
    throw new Error("Invalid environment: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL, not both");
  }
  if (env.AZURE_STORAGE_CONNECTION_STRING) {
    return { kind: "connection-string", connectionString: env.AZURE_STORAGE_CONNECTION_STRING };
  }
  if (env.AZURE_STORAGE_ACCOUNT_URL) return { kind: "account-url", accountUrl: env.AZURE_STORAGE_ACCOUNT_URL };
  return { kind: "local-azurite" };
}

/**
 * An open API is fine on the throw-away local emulator; against a real account it would hand anyone upload
 * URLs, so it takes an explicit ALLOW_ANONYMOUS=true. Returns whether the API runs open.
 */
export function checkOpenAccess(env: Env, auth: AuthConfig | null): boolean {
  if (auth) return false;
  if (storageTargetFromEnv(env).kind !== "local-azurite" && !env.ALLOW_ANONYMOUS) {
    throw new Error(
      "Refusing to run without authentication against a real storage account: set AUTH_JWKS_URL (with AUTH_ISSUER " +
        "and AUTH_AUDIENCE) or AUTH_JWT_SECRET, or ALLOW_ANONYMOUS=true to run open on purpose",
    );
  }
  return true;
}
