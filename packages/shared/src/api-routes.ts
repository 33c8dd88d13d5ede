/**
 * Every API route once: its method, its path pattern (Hono's `:param` syntax, which the API registers as it is)
 * and the rate-limit bucket its requests count against. The client builds its URLs from the same table.
 */

/** The API's rate-limit buckets: one per-caller token bucket each, sized by its own setting. */
export const RATE_LIMIT_BUCKETS = ["batches", "commits", "refreshes", "reads", "deletes", "health"] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

export type ApiMethod = "GET" | "POST" | "DELETE";

/** The names of a pattern's `:params`: `"/a/:x/b/:y"` → `"x" | "y"`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** Values for a pattern's params, or nothing when it has none. */
export type PathArgs<P extends string> = [PathParams<P>] extends [never]
  ? []
  : [Record<PathParams<P>, string | number>];

export interface ApiRoute<P extends string = string> {
  method: ApiMethod;
  path: P;
  /** null: the route costs no storage call and has no limit. */
  bucket: RateLimitBucket | null;
  /** The concrete path, each param URI-encoded. */
  build(...args: PathArgs<P>): string;
}

function route<const P extends string>(method: ApiMethod, path: P, bucket: RateLimitBucket | null): ApiRoute<P> {
  const build = (...args: PathArgs<P>) => {
    const params: Record<string, string | number> = args[0] ?? {};
    return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
  };
  return { method, path, bucket, build };
}

export const API_ROUTES = {
  health: route("GET", "/api/health", "health"),
  config: route("GET", "/api/config", null),
  createBatch: route("POST", "/api/batches", "batches"),
  // Every change to an existing batch shares one bucket: one setting for a researcher's whole editing session.
  refreshBatch: route("POST", "/api/batches/:batchId/refresh", "refreshes"),
  addBatchFiles: route("POST", "/api/batches/:batchId/files", "refreshes"),
  removeBatchFile: route("DELETE", "/api/batches/:batchId/files/:index", "refreshes"),
  reuseUpload: route("POST", "/api/batches/:batchId/files/:index/reuse", "refreshes"),
  getBatch: route("GET", "/api/batches/:batchId", "refreshes"),
  discardBatch: route("DELETE", "/api/batches/:batchId", "refreshes"),
  commitStudy: route("POST", "/api/studies", "commits"),
  listStudies: route("GET", "/api/studies", "reads"),
  getStudy: route("GET", "/api/studies/:studyId", "reads"),
  deleteStudy: route("DELETE", "/api/studies/:studyId", "deletes"),
} as const;

/** The web app's page of a study (the API serves the web app on its own origin): what the CLI prints as its URL. */
export const studyPagePath = (studyId: string) => `/studies/${encodeURIComponent(studyId)}`;
