import type { Env } from "./env.js";

/** Where blobs live: a real account (by key or by Entra identity) or the local Azurite that main starts. */
export type StorageTarget =
  | { kind: "connection-string"; connectionString: string }
  | { kind: "account-url"; accountUrl: string }
  | { kind: "local-azurite" };

/** parseEnv has already refused a connection string together with an account URL. */
export function storageTargetFromEnv(env: Env): StorageTarget {
  if (env.AZURE_STORAGE_CONNECTION_STRING) {
    return { kind: "connection-string", connectionString: env.AZURE_STORAGE_CONNECTION_STRING };
  }
  if (env.AZURE_STORAGE_ACCOUNT_URL) return { kind: "account-url", accountUrl: env.AZURE_STORAGE_ACCOUNT_URL };
  return { kind: "local-azurite" };
}
