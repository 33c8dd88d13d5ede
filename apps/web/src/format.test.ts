import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatPixelSize } from "./format.js";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [16 * 1024 * 1024, "16 MiB"],
    [2.25 * 1024 * 1024, "2.3 MiB"],
    [150 * 1024 * 1024, "150 MiB"],
  ])("%d → %s", (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe("formatPixelSize", () => {
  it("names both sides in pixels, and nothing when either is unknown", () => {
    expect(formatPixelSize(1920, 1080)).toBe("1920 × 1080 px");
    expect(formatPixelSize(null, null)).toBeNull();
    expect(formatPixelSize(320, null)).toBeNull();
  });
});

describe("formatDuration", () => {
  it.each([
    [0.2, "1 s"],
    [59, "59 s"],
    [125, "2 min 5 s"],
    [3780, "1 h 3 min"],
  ])("%d → %s", (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});
