import { describe, expect, it } from "vitest";
import { apiConfigFromEnv, parseEnv } from "./config.js";

describe("parseEnv", () => {
  it("applies the documented defaults", () => {
    const config = apiConfigFromEnv(parseEnv({}));
    expect(config.limits).toMatchObject({ maxFileBytes: 16 * 1024 * 1024, maxFiles: 50, concurrency: 6, sasTtlSeconds: 600 });
    expect(config.corsOrigins).toContain("http://localhost:8787");
  });

  it("reads overrides", () => {
    const env = parseEnv({
      PORT: "9000",
      MAX_FILE_BYTES: "1024",
      MAX_FILES_PER_STUDY: "3",
      UPLOAD_CONCURRENCY: "2",
      SAS_TTL_SECONDS: "5",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    const config = apiConfigFromEnv(env);
    expect(env.PORT).toBe(9000);
    expect(config.limits).toMatchObject({ maxFileBytes: 1024, maxFiles: 3, concurrency: 2, sasTtlSeconds: 5 });
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("names the variable that is wrong", () => {
    expect(() => parseEnv({ UPLOAD_CONCURRENCY: "zero" })).toThrow(/UPLOAD_CONCURRENCY/);
    expect(() => parseEnv({ MAX_FILE_BYTES: "-1" })).toThrow(/MAX_FILE_BYTES/);
    expect(() => parseEnv({ STORAGE_CONTAINER_PREFIX: "Bad_Prefix" })).toThrow(/STORAGE_CONTAINER_PREFIX/);
  });
});
