import { IMAGE_TYPES, MiB, type RateLimitBucket, type UploadConfig } from "@study-uploader/shared";
import type { AllowedHost } from "./allowed-hosts.js";
import { authConfigFromEnv, type AuthConfig } from "./auth-config.js";
import type { Env } from "./env.js";
import { RATE_LIMIT_SETTINGS, forEachBucket } from "./rate-limit-settings.js";

/**
 * Requests a minute per caller (the user, or when open the client address) and per API instance, per bucket
 * (`API_ROUTES` says which routes count against which); 0: no limit. Health is public: counted per address.
 */
export type RateLimits = Record<RateLimitBucket, number>;

/** What the app needs to know, assembled from the parsed environment. */
export interface ApiConfig {
  limits: UploadConfig;
  /** Largest total of a batch's declared file sizes. */
  maxBatchBytes: number;
  /** Whether an image its owner already has is copied in storage instead of sent again. */
  reuseStoredImages: boolean;
  /** Commits that verify their uploads at once in this process; more wait a little, then get 503. */
  commitVerifyConcurrency: number;
  readSasTtlSeconds: number;
  /** Read URLs are the same string all through one such window (the browser's cache serves repeat views). */
  readUrlWindowSeconds: number;
  stagingTtlHours: number;
  /** Origins allowed to call the API from a browser and to PUT straight to storage (storage CORS rules). */
  corsOrigins: string[];
  /** Host headers served besides localhost, 127.0.0.1 and [::1]; null: any Host is served. */
  allowedHosts: AllowedHost[] | null;
  webDistDir: string;
  /** null: the API is open and every caller is the same anonymous owner. */
  auth: AuthConfig | null;
  rateLimits: RateLimits;
}

function defaultCorsOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, "http://localhost:5173", "http://127.0.0.1:5173"];
}

export function apiConfigFromEnv(env: Env): ApiConfig {
  const auth = authConfigFromEnv(env);
  return {
    limits: {
      maxFileBytes: env.MAX_FILE_BYTES,
      maxFiles: env.MAX_FILES_PER_STUDY,
      allowedTypes: [...IMAGE_TYPES],
      concurrency: env.UPLOAD_CONCURRENCY,
      http2Concurrency: env.UPLOAD_CONCURRENCY_HTTP2,
      sasTtlSeconds: env.SAS_TTL_SECONDS,
      blockThresholdBytes: env.UPLOAD_BLOCK_THRESHOLD_BYTES,
      adaptiveConcurrency: env.UPLOAD_CONCURRENCY_ADAPTIVE,
      blockBytes: env.UPLOAD_BLOCK_BYTES,
    },
    maxBatchBytes: env.MAX_BATCH_BYTES ?? Math.max(1024 * MiB, env.MAX_FILE_BYTES),
    reuseStoredImages: env.REUSE_STORED_IMAGES,
    commitVerifyConcurrency: env.COMMIT_VERIFY_CONCURRENCY,
    readSasTtlSeconds: env.READ_SAS_TTL_SECONDS,
    readUrlWindowSeconds: env.READ_URL_WINDOW_SECONDS,
    stagingTtlHours: env.STAGING_TTL_HOURS,
    corsOrigins: env.CORS_ORIGINS ?? defaultCorsOrigins(env.PORT),
    // Open, any web page could read local studies through DNS rebinding; with auth, it would need a token.
    allowedHosts: env.ALLOWED_HOSTS ?? (auth ? null : []),
    webDistDir: env.WEB_DIST_DIR,
    auth,
    rateLimits: forEachBucket((bucket) => env[RATE_LIMIT_SETTINGS[bucket].env]),
  };
}
