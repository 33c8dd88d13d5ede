import { RATE_LIMIT_BUCKETS, type RateLimitBucket } from "@study-uploader/shared";

/** Each bucket's one setting: its environment variable, its default a minute, and what a 429 calls its requests. */
export const RATE_LIMIT_SETTINGS = {
  batches: { env: "RATE_LIMIT_BATCHES_PER_MINUTE", defaultPerMinute: 60, what: "batch" },
  commits: { env: "RATE_LIMIT_COMMITS_PER_MINUTE", defaultPerMinute: 120, what: "commit" },
  refreshes: { env: "RATE_LIMIT_REFRESHES_PER_MINUTE", defaultPerMinute: 120, what: "batch refresh or edit" },
  reads: { env: "RATE_LIMIT_READS_PER_MINUTE", defaultPerMinute: 300, what: "study read" },
  deletes: { env: "RATE_LIMIT_DELETES_PER_MINUTE", defaultPerMinute: 60, what: "study deletion" },
  health: { env: "RATE_LIMIT_HEALTH_PER_MINUTE", defaultPerMinute: 300, what: "health check" },
} as const satisfies Record<
  RateLimitBucket,
  { env: `RATE_LIMIT_${string}_PER_MINUTE`; defaultPerMinute: number; what: string }
>;

export type RateLimitEnvName = (typeof RATE_LIMIT_SETTINGS)[RateLimitBucket]["env"];

/** A value for every bucket, from one function: adding a bucket cannot leave one out. */
export const forEachBucket = <T>(value: (bucket: RateLimitBucket) => T) =>
  Object.fromEntries(RATE_LIMIT_BUCKETS.map((bucket) => [bucket, value(bucket)])) as Record<RateLimitBucket, T>;

/** A value for every bucket's environment variable. */
export const forEachRateLimitEnv = <T>(value: (bucket: RateLimitBucket) => T) =>
  Object.fromEntries(RATE_LIMIT_BUCKETS.map((bucket) => [RATE_LIMIT_SETTINGS[bucket].env, value(bucket)])) as Record<
    RateLimitEnvName,
    T
  >;

/** Every limit off, as the environment says it: for soaks, benches and tests that send more than a person would. */
export const NO_RATE_LIMITS_ENV: Record<RateLimitEnvName, string> = forEachRateLimitEnv(() => "0");
