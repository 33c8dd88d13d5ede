import { describe, expect, it } from "vitest";
import { formatBytes, formatDateTime, formatDuration, formatPixelSize } from "./format.js";

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

describe("formatDateTime", () => {
  it("writes a moment the same from an ISO string, epoch milliseconds and a Date, with its date and time of day", () => {
    const moment = new Date(2025, 2, 4, 15, 7);
    const expected = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(moment);
    expect(formatDateTime(moment.toISOString())).toBe(expected);
    expect(formatDateTime(moment.getTime())).toBe(expected);
    expect(formatDateTime(moment)).toBe(expected);
    expect(expected).toMatch(/2025/);
    expect(expected).not.toMatch(/:\d\d:\d\d/);
  });
});
