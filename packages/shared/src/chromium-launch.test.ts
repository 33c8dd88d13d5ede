import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, DEBIAN_CHROMIUM, chromiumLaunchOptions } from "./chromium-launch.js";

describe("chromiumLaunchOptions", () => {
  it("names Debian's Chromium with the flags when it is installed, else leaves Playwright its own", () => {
    const expected = existsSync(DEBIAN_CHROMIUM) ? { executablePath: DEBIAN_CHROMIUM, args: CHROMIUM_ARGS } : {};
    expect(chromiumLaunchOptions()).toEqual(expected);
  });

  it("hands out a copy of the flags, so a caller that adds its own changes no one else's", () => {
    chromiumLaunchOptions().args?.push("--extra");
    expect(CHROMIUM_ARGS).not.toContain("--extra");
  });
});
