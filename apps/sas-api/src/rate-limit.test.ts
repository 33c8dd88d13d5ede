import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./rate-limit.js";

describe("TokenBucketLimiter", () => {
  it("allows a burst of perMinute, then one more per refill interval, per caller", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(6, () => now);
    expect(Array.from({ length: 7 }, () => limiter.take("a"))).toEqual([0, 0, 0, 0, 0, 0, 10]);
    expect(limiter.take("b")).toBe(0);
    now += 9_000;
    expect(limiter.take("a")).toBe(1);
    now += 1_000;
    expect(limiter.take("a")).toBe(0);
  });

  it("forgets idle callers once it tracks too many, without changing any answer", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(1, () => now, 2);
    limiter.take("a");
    limiter.take("b");
    now += 60_000;
    limiter.take("c");
    expect(limiter["buckets"].size).toBe(1);
    expect(limiter.take("a")).toBe(0);
  });
});
