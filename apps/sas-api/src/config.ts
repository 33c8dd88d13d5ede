import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_LIMITS, IMAGE_TYPES, type UploadConfig } from "@study-uploader/shared";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

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

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const csv = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
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

export interface ApiConfig {
  limits: UploadConfig;
  readSasTtlSeconds: number;
  stagingTtlHours: number;
  /** Origins allowed to PUT straight to storage (storage CORS rules). */
  corsOrigins: string[];
  webDistDir: string;
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
    readSasTtlSeconds: env.READ_SAS_TTL_SECONDS,
    stagingTtlHours: env.STAGING_TTL_HOURS,
    corsOrigins: env.CORS_ORIGINS ?? defaultCorsOrigins(env.PORT),
    webDistDir: env.WEB_DIST_DIR,
  };
}
