import { readFileSync } from "node:fs";
import { RATE_LIMIT_BUCKETS } from "@study-uploader/shared";
import { describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "./config.js";
import { parseEnv } from "./env.js";
import { NO_RATE_LIMITS_ENV, RATE_LIMIT_SETTINGS, forEachBucket } from "./rate-limit-settings.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("the rate-limit settings", () => {
  it("give every bucket its own environment variable", () => {
    const names = RATE_LIMIT_BUCKETS.map((bucket) => RATE_LIMIT_SETTINGS[bucket].env);
    expect(new Set(names).size).toBe(RATE_LIMIT_BUCKETS.length);
  });

  it("are read from the environment, with their defaults when unset", () => {
    expect(apiConfigFromEnv(parseEnv({})).rateLimits).toEqual(
      forEachBucket((bucket) => RATE_LIMIT_SETTINGS[bucket].defaultPerMinute),
    );
    const one = { [RATE_LIMIT_SETTINGS.deletes.env]: "7" };
    expect(apiConfigFromEnv(parseEnv(one)).rateLimits.deletes).toBe(7);
  });

  it("turn every limit off through NO_RATE_LIMITS_ENV", () => {
    expect(apiConfigFromEnv(parseEnv(NO_RATE_LIMITS_ENV)).rateLimits).toEqual(forEachBucket(() => 0));
  });

  it.each(RATE_LIMIT_BUCKETS)("%s is in the README's table with its default", (bucket) => {
    const { env, defaultPerMinute } = RATE_LIMIT_SETTINGS[bucket];
    expect(README).toContain(`| \`${env}\` | ${defaultPerMinute} |`);
  });
});
