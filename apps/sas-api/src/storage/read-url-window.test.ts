import { describe, expect, it } from "vitest";
import { SAS_START_SKEW_MS, readUrlValidity } from "./read-url-window.js";

const HOUR_MS = 3_600_000;

describe("readUrlValidity", () => {
  it("is the same for every moment of one window", () => {
    const start = Date.UTC(2026, 11, 3, 17, 0, 0);
    const first = readUrlValidity(start, 900, 3600);
    for (const offset of [1, 60_000, HOUR_MS / 2, HOUR_MS - 1]) {
      expect(readUrlValidity(start + offset, 900, 3600)).toEqual(first);
    }
    expect(first.startsOn.getTime()).toBe(start - SAS_START_SKEW_MS);
    expect(first.expiresOn.getTime()).toBe(start + HOUR_MS + 900_000);
    expect(first.maxAgeSeconds).toBe(4500);
  });

  it("moves on at the next window", () => {
    const start = Date.UTC(2026, 11, 3, 17, 0, 0);
    const next = readUrlValidity(start + HOUR_MS, 900, 3600);
    expect(next.expiresOn.getTime()).toBe(readUrlValidity(start, 900, 3600).expiresOn.getTime() + HOUR_MS);
  });

  it("leaves a URL valid for at least the TTL after it is handed out, and at most window + TTL", () => {
    for (const now of [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1234567, Date.UTC(2026, 0, 1, 0, 59, 59, 999)]) {
      const { startsOn, expiresOn } = readUrlValidity(now, 900, 3600);
      expect(startsOn.getTime()).toBeLessThan(now);
      expect(expiresOn.getTime() - now).toBeGreaterThanOrEqual(900_000);
      expect(expiresOn.getTime() - now).toBeLessThanOrEqual(HOUR_MS + 900_000);
    }
  });
});
