import { describe, expect, it } from "vitest";
import { matchRoute, studyPath } from "./routes.js";

describe("matchRoute", () => {
  it.each([
    ["/", { name: "new-study" }],
    ["/studies", { name: "studies" }],
    ["/studies/", { name: "studies" }],
    ["/studies/abc_DEF-123", { name: "study", studyId: "abc_DEF-123" }],
    ["/studies/a/b", { name: "not-found" }],
    ["/elsewhere", { name: "not-found" }],
  ])("%s", (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it("round-trips a study path", () => {
    expect(matchRoute(studyPath("x y"))).toEqual({ name: "study", studyId: "x y" });
  });
});
