import { describe, expect, it } from "vitest";
import { DomainError, notFound, type DomainErrorKind } from "./domain/domain-error.js";
import { domainProblem } from "./errors.js";

describe("a domain error as an HTTP problem", () => {
  it.each<[DomainErrorKind, number]>([
    ["not-found", 404],
    ["invalid", 400],
    ["conflict", 409],
    ["too-large", 413],
    ["refused-files", 422],
    ["busy", 503],
  ])("%s answers %i", (kind, status) => {
    expect(domainProblem(new DomainError(kind, "invalid_request", "no")).status).toBe(status);
  });

  it("keeps its code and message, and sends no headers and no files when it has none", () => {
    const problem = domainProblem(notFound("Batch"));
    expect(problem).toMatchObject({ status: 404, code: "not_found", message: "Batch not found" });
    expect(problem.files).toBeUndefined();
    expect(problem.headers).toBeUndefined();
  });

  it("carries the files at fault and says when to retry", () => {
    const files = [{ index: 2, problem: "was not uploaded" }];
    const refused = domainProblem(new DomainError("refused-files", "verification_failed", "Not committed", { files }));
    expect(refused.files).toEqual(files);
    const busy = domainProblem(new DomainError("conflict", "commit_in_progress", "wait", { retryAfterSeconds: 2 }));
    expect(busy.headers).toEqual({ "Retry-After": "2" });
  });
});
