import { describe, expect, it } from "vitest";
import { parseBenchOptions } from "./bench-options.js";

describe("parseBenchOptions", () => {
  it("runs the default matrix three times on every profile, slow start off", () => {
    expect(parseBenchOptions([])).toEqual({
      mode: "default",
      runsPerCell: 3,
      profiles: ["lan", "office", "home", "far", "home-wifi", "far-lossy"],
      skipBuild: false,
      slowStart: false,
      large: false,
      help: false,
    });
  });

  it("keeps --quick to lan and far unless profiles are named", () => {
    expect(parseBenchOptions(["--quick"]).profiles).toEqual(["lan", "far"]);
    expect(parseBenchOptions(["--quick", "--profiles", "home"]).profiles).toEqual(["home"]);
  });

  it("reads the profiles, the runs, slow start and --skip-build", () => {
    expect(parseBenchOptions(["--profiles", "office, far", "--runs", "5", "--slow-start", "--skip-build"])).toEqual({
      mode: "default",
      runsPerCell: 5,
      profiles: ["office", "far"],
      skipBuild: true,
      slowStart: true,
      large: false,
      help: false,
    });
  });

  it("runs the large-file bench twice on office and far unless told otherwise", () => {
    expect(parseBenchOptions(["--large"])).toMatchObject({ large: true, runsPerCell: 2, profiles: ["office", "far"] });
    expect(parseBenchOptions(["--large", "--runs", "3", "--profiles", "office"])).toMatchObject({
      runsPerCell: 3,
      profiles: ["office"],
    });
  });

  it("asks for the usage with --help", () => {
    expect(parseBenchOptions(["--help"]).help).toBe(true);
  });

  it("refuses contradictions, a bad run count and unknown profiles", () => {
    expect(() => parseBenchOptions(["--quick", "--full"])).toThrow("exclude each other");
    expect(() => parseBenchOptions(["--runs", "0"])).toThrow("positive integer");
    expect(() => parseBenchOptions(["--profiles", "moon"])).toThrow('unknown network profile "moon"');
  });
});
