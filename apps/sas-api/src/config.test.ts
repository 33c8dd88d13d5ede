import { describe, expect, it } from "vitest";
import { checkOpenAccess } from "./auth-config.js";
import { apiConfigFromEnv } from "./config.js";
import { parseEnv, type Env } from "./env.js";
import { storageTargetFromEnv } from "./storage-target.js";

describe("parseEnv", () => {
  it("applies the documented defaults", () => {
    const config = apiConfigFromEnv(parseEnv({}));
    expect(config.limits).toMatchObject({
      maxFileBytes: 16 * 1024 * 1024,
      maxFiles: 50,
      concurrency: 6,
      sasTtlSeconds: 600,
      blockThresholdBytes: 32 * 1024 * 1024,
      blockBytes: 8 * 1024 * 1024,
      adaptiveConcurrency: true,
    });
    expect(config.maxBatchBytes).toBe(1024 * 1024 * 1024);
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
      COMMIT_VERIFY_CONCURRENCY: "2",
      UPLOAD_BLOCK_THRESHOLD_BYTES: "1048576",
      UPLOAD_BLOCK_BYTES: "262144",
      UPLOAD_CONCURRENCY_ADAPTIVE: "false",
    });
    const config = apiConfigFromEnv(env);
    expect(config.limits).toMatchObject({
      blockThresholdBytes: 1048576,
      blockBytes: 262144,
      adaptiveConcurrency: false,
    });
    expect(config.commitVerifyConcurrency).toBe(2);
    expect(env.PORT).toBe(9000);
    expect(config.limits).toMatchObject({ maxFileBytes: 1024, maxFiles: 3, concurrency: 2, sasTtlSeconds: 5 });
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("names the variable that is wrong", () => {
    expect(() => parseEnv({ UPLOAD_CONCURRENCY: "zero" })).toThrow(/UPLOAD_CONCURRENCY/);
    expect(() => parseEnv({ MAX_FILE_BYTES: "-1" })).toThrow(/MAX_FILE_BYTES/);
    expect(() => parseEnv({ STORAGE_CONTAINER_PREFIX: "Bad_Prefix" })).toThrow(/STORAGE_CONTAINER_PREFIX/);
    expect(() => parseEnv({ COMMIT_VERIFY_CONCURRENCY: "0" })).toThrow(/COMMIT_VERIFY_CONCURRENCY/);
  });
});

describe("authentication and open access", () => {
  const jwks = {
    AUTH_JWKS_URL: "https://login.example/keys",
    AUTH_ISSUER: "https://login.example/",
    AUTH_AUDIENCE: "api://x",
  };
  const realAccount = { AZURE_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net" };

  it("runs open on the local Azurite by default, with generous rate limits", () => {
    const env = parseEnv({});
    const config = apiConfigFromEnv(env);
    expect(config.auth).toBeNull();
    expect(config.rateLimits).toEqual({
      batches: 60,
      commits: 120,
      refreshes: 120,
      reads: 300,
      health: 300,
      deletes: 60,
    });
    expect(config.maxBatchBytes).toBe(1024 ** 3);
    expect(config.commitVerifyConcurrency).toBe(4);
    expect(checkOpenAccess(env, config.auth)).toBe(true);
  });

  it("refuses to run open against a real account unless ALLOW_ANONYMOUS=true", () => {
    for (const account of [realAccount, { AZURE_STORAGE_CONNECTION_STRING: "AccountName=a;AccountKey=b" }]) {
      expect(() => checkOpenAccess(parseEnv(account), null)).toThrow(/ALLOW_ANONYMOUS/);
      expect(checkOpenAccess(parseEnv({ ...account, ALLOW_ANONYMOUS: "true" }), null)).toBe(true);
    }
    const env = parseEnv({ ...realAccount, ...jwks });
    expect(checkOpenAccess(env, apiConfigFromEnv(env).auth)).toBe(false);
  });

  it("reads JWKS and secret auth and refuses incomplete or conflicting settings", () => {
    expect(apiConfigFromEnv(parseEnv(jwks)).auth).toEqual({
      kind: "jwks",
      jwksUrl: jwks.AUTH_JWKS_URL,
      issuer: jwks.AUTH_ISSUER,
      audience: jwks.AUTH_AUDIENCE,
    });
    expect(apiConfigFromEnv(parseEnv({ AUTH_JWT_SECRET: "s".repeat(32) })).auth).toMatchObject({ kind: "secret" });
    expect(() => apiConfigFromEnv(parseEnv({ AUTH_JWKS_URL: jwks.AUTH_JWKS_URL }))).toThrow(
      /AUTH_ISSUER and AUTH_AUDIENCE/,
    );
    expect(() => apiConfigFromEnv(parseEnv({ ...jwks, AUTH_JWT_SECRET: "s".repeat(32) }))).toThrow(/not both/);
    expect(() => parseEnv({ AUTH_JWT_SECRET: "short" })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => parseEnv({ RATE_LIMIT_BATCHES_PER_MINUTE: "-1" })).toThrow(/RATE_LIMIT_BATCHES_PER_MINUTE/);
    expect(apiConfigFromEnv(parseEnv({ RATE_LIMIT_COMMITS_PER_MINUTE: "0" })).rateLimits.commits).toBe(0);
    expect(
      apiConfigFromEnv(
        parseEnv({
          RATE_LIMIT_REFRESHES_PER_MINUTE: "7",
          RATE_LIMIT_READS_PER_MINUTE: "8",
          RATE_LIMIT_HEALTH_PER_MINUTE: "0",
        }),
      ).rateLimits,
    ).toMatchObject({ refreshes: 7, reads: 8, health: 0 });
    expect(() => parseEnv({ RATE_LIMIT_READS_PER_MINUTE: "many" })).toThrow(/RATE_LIMIT_READS_PER_MINUTE/);
  });
});

describe("rules across variables", () => {
  const jwksUrl = "https://login.example/keys";
  const accountUrl = "https://acct.blob.core.windows.net";
  const connectionString = "AccountName=a;AccountKey=b";

  it("reports every problem at once, naming the variables", () => {
    const everythingWrong = {
      AUTH_JWKS_URL: jwksUrl,
      AUTH_JWT_SECRET: "s".repeat(32),
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      AZURE_STORAGE_ACCOUNT_URL: accountUrl,
      UPLOAD_CONCURRENCY: "zero",
    };
    for (const problem of [
      /set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both/,
      /AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE/,
      /set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL, not both/,
      /UPLOAD_CONCURRENCY: /,
    ]) {
      expect(() => parseEnv(everythingWrong)).toThrow(problem);
    }
  });

  it("wants the JWKS over https, except from the local machine", () => {
    const withIssuer = { AUTH_ISSUER: "https://login.example/", AUTH_AUDIENCE: "api://x" };
    for (const url of ["http://login.example/keys", "http://127.0.0.1.nip.io/keys", "http://10.0.0.1:8080/keys"]) {
      expect(() => parseEnv({ ...withIssuer, AUTH_JWKS_URL: url }), url).toThrow(
        /AUTH_JWKS_URL: must be https \(http only on localhost, 127.0.0.1 or \[::1\]\)/,
      );
    }
    for (const url of [jwksUrl, "http://localhost:8080/keys", "http://127.0.0.1:9/keys", "http://[::1]:9/keys"]) {
      expect(parseEnv({ ...withIssuer, AUTH_JWKS_URL: url }).AUTH_JWKS_URL, url).toBe(url);
    }
  });

  it("wants both issuer and audience with JWKS", () => {
    expect(() => parseEnv({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: "https://login.example/" })).toThrow(
      /AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE/,
    );
    expect(() => parseEnv({ AUTH_JWKS_URL: jwksUrl, AUTH_AUDIENCE: "api://x", AUTH_ISSUER: "  " })).toThrow(
      /AUTH_ISSUER and AUTH_AUDIENCE/,
    );
  });

  it("reads one storage target", () => {
    expect(storageTargetFromEnv(parseEnv({}))).toEqual({ kind: "local-azurite" });
    expect(storageTargetFromEnv(parseEnv({ AZURE_STORAGE_ACCOUNT_URL: accountUrl }))).toEqual({
      kind: "account-url",
      accountUrl,
    });
    expect(storageTargetFromEnv(parseEnv({ AZURE_STORAGE_CONNECTION_STRING: connectionString }))).toEqual({
      kind: "connection-string",
      connectionString,
    });
    expect(() =>
      parseEnv({ AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_STORAGE_ACCOUNT_URL: accountUrl }),
    ).toThrow(/AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL, not both/);
  });
});

describe("lifetimes and sizes", () => {
  it("refuses upload URLs that live longer than a quarter of the staging time, naming both", () => {
    expect(parseEnv({ STAGING_TTL_HOURS: "1", SAS_TTL_SECONDS: "900" }).SAS_TTL_SECONDS).toBe(900);
    expect(() => parseEnv({ STAGING_TTL_HOURS: "1", SAS_TTL_SECONDS: "901" })).toThrow(
      /SAS_TTL_SECONDS: must be at most a quarter of STAGING_TTL_HOURS \(1 h: at most 900 s\)/,
    );
  });

  it.each([
    ["SAS_TTL_SECONDS", 3600, /at most 3600 \(one hour/],
    ["READ_SAS_TTL_SECONDS", 86_400, /at most 86400 \(one day/],
    ["STAGING_TTL_HOURS", 168, /at most 168 \(7 days: the longest a user delegation key lasts\)/],
    ["MAX_FILE_BYTES", 4096 * 1024 * 1024, /at most 4294967296 \(4 GiB: .*block by block, Put Block From URL/],
    ["UPLOAD_BLOCK_BYTES", 4000 * 1024 * 1024, /at most 4194304000 \(Put Block's limit\)/],
  ])("caps %s at %i, saying why", (name, max, why) => {
    expect(parseEnv({ [name]: String(max) })[name as keyof Env]).toBe(max);
    expect(() => parseEnv({ [name]: String(max + 1) })).toThrow(new RegExp(`${name}: must be ${why.source}`));
  });

  it("takes blocks of at least 64 KiB", () => {
    expect(parseEnv({ UPLOAD_BLOCK_BYTES: "65536" }).UPLOAD_BLOCK_BYTES).toBe(65536);
    expect(() => parseEnv({ UPLOAD_BLOCK_BYTES: "65535" })).toThrow(/UPLOAD_BLOCK_BYTES: must be at least 65536/);
  });

  it("lets a batch hold at least one largest file unless MAX_BATCH_BYTES says otherwise", () => {
    const large = { MAX_FILE_BYTES: String(3 * 1024 * 1024 * 1024) };
    expect(apiConfigFromEnv(parseEnv(large)).maxBatchBytes).toBe(3 * 1024 * 1024 * 1024);
    expect(apiConfigFromEnv(parseEnv({ ...large, MAX_BATCH_BYTES: "5000" })).maxBatchBytes).toBe(5000);
  });

  it("reports every lifetime and size problem at once", () => {
    const everythingTooBig = {
      SAS_TTL_SECONDS: "3601",
      READ_SAS_TTL_SECONDS: "86401",
      STAGING_TTL_HOURS: "169",
      MAX_FILE_BYTES: String(4096 * 1024 * 1024 + 1),
    };
    for (const name of Object.keys(everythingTooBig)) {
      expect(() => parseEnv(everythingTooBig)).toThrow(`${name}: must be at most`);
    }
  });
});

describe("ALLOWED_HOSTS", () => {
  it("checks the Host when open, and with auth only once set", () => {
    const secret = { AUTH_JWT_SECRET: "s".repeat(32) };
    expect(apiConfigFromEnv(parseEnv({})).allowedHosts).toEqual([]);
    expect(apiConfigFromEnv(parseEnv(secret)).allowedHosts).toBeNull();
    expect(apiConfigFromEnv(parseEnv({ ...secret, ALLOWED_HOSTS: "Uploader.Example.org" })).allowedHosts).toEqual([
      { name: "uploader.example.org" },
    ]);
    expect(apiConfigFromEnv(parseEnv({ ALLOWED_HOSTS: "lab.example, 192.168.1.20:8787" })).allowedHosts).toEqual([
      { name: "lab.example" },
      { name: "192.168.1.20", port: 8787 },
    ]);
  });

  it("names the entry that is not a host", () => {
    expect(() => parseEnv({ ALLOWED_HOSTS: "lab.example, https://lab.example/" })).toThrow(
      /ALLOWED_HOSTS: "https:\/\/lab.example\/" is not a host name or host:port/,
    );
  });
});

describe("PUBLIC_BLOB_ENDPOINT", () => {
  it.each([
    "https://cdn.example/devstoreaccount1",
    "http://127.0.0.1:10001/devstoreaccount1",
    "/storage",
    "/storage/devstoreaccount1",
  ])("accepts %s", (endpoint) => {
    expect(parseEnv({ PUBLIC_BLOB_ENDPOINT: endpoint }).PUBLIC_BLOB_ENDPOINT).toBe(endpoint);
  });

  it.each(["storage", "//cdn.example/storage", "/", "/storage?sv=1", "/sto rage", "ftp://cdn.example", "https://"])(
    "refuses %s, naming the variable",
    (endpoint) => {
      expect(() => parseEnv({ PUBLIC_BLOB_ENDPOINT: endpoint })).toThrow(
        /PUBLIC_BLOB_ENDPOINT: must be an http\(s\) URL, or a path on the app's own origin/,
      );
    },
  );
});
