import { describe, expect, it } from "vitest";
import { matchRoute, studyPath } from "./routes.js";

describe("matchRoute", () => {
  it.each([
    ["/", { name: "new-study" }],
    ["/studies", { name: "studies" }],
    ["/studies/", { name: "studies" }],
    ["/studies/abc_DEF-123", { name: "study", studyId: "abc_DEF-123" }],
    ["/studies/abc_DEF-123/", { name: "study", studyId: "abc_DEF-123" }],
    ["/studies/%C3%A9t%C3%A9", { name: "study", studyId: "été" }],
    ["/studies/a/b", { name: "not-found" }],
    ["/elsewhere", { name: "not-found" }],
  ])("%s", (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it.each(["/studies/%E0", "/studies/%", "/studies/%zz", "/studies/%C3", "/studies/%ED%A0%80"])(
    "%s cannot be decoded: no study has it",
    (path) => {
      expect(matchRoute(path)).toEqual({ name: "study-not-found" });
    },
  );

  it("round-trips a study path", () => {
    expect(matchRoute(studyPath("x y"))).toEqual({ name: "study", studyId: "x y" });
    expect(matchRoute(studyPath("100%/ü"))).toEqual({ name: "study", studyId: "100%/ü" });
  });
});
