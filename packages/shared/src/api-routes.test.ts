import { describe, expect, it } from "vitest";
import { API_ROUTES, RATE_LIMIT_BUCKETS } from "./api-routes.js";

describe("the API's route table", () => {
  it("builds concrete paths, each param URI-encoded", () => {
    expect(API_ROUTES.createBatch.build()).toBe("/api/batches");
    expect(API_ROUTES.refreshBatch.build({ batchId: "b-1" })).toBe("/api/batches/b-1/refresh");
    expect(API_ROUTES.removeBatchFile.build({ batchId: "b-1", index: 7 })).toBe("/api/batches/b-1/files/7");
    expect(API_ROUTES.getStudy.build({ studyId: "a/b?c" })).toBe("/api/studies/a%2Fb%3Fc");
  });

  it("names every param of a pattern once, and no route twice", () => {
    const routes = Object.values(API_ROUTES);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
    for (const route of routes) {
      expect(route.path).toMatch(/^\/api(\/(:\w+|[a-z-]+))+$/);
    }
  });

  it("counts every route against a bucket the rate limiter knows, and every bucket serves a route", () => {
    const buckets = Object.values(API_ROUTES).flatMap((r) => (r.bucket ? [r.bucket] : []));
    for (const bucket of buckets) expect(RATE_LIMIT_BUCKETS).toContain(bucket);
    expect(new Set(buckets)).toEqual(new Set(RATE_LIMIT_BUCKETS));
  });

  it("leaves only config unlimited: it costs no storage call", () => {
    expect(
      Object.entries(API_ROUTES)
        .filter(([, r]) => r.bucket === null)
        .map(([name]) => name),
    ).toEqual(["config"]);
  });
});
