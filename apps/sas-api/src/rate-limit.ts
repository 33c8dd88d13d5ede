import type { HttpBindings } from "@hono/node-server";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.js";
import { ownerKey } from "./domain/ids.js";
import { ApiProblem } from "./errors.js";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per caller: `perMinute` requests in a burst, refilled continuously at `perMinute` a minute.
 * It lives in this instance's memory, so with N instances a caller may get up to N times the limit; that is
 * the price of keeping no shared state, and enough to stop one client from flooding storage with requests.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxCallers = 50_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token for this caller: 0 when allowed, else the whole seconds until a token is back. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > this.maxCallers) this.forgetIdleCallers(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perMs / 1000);
  }

  /** A bucket that has refilled is the same as no bucket, so dropping it changes no answer; it bounds memory. */
  private forgetIdleCallers(now: number): void {
    const fullAfterMs = 60_000;
    for (const [caller, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= fullAfterMs) this.buckets.delete(caller);
    }
  }
}

/** The signed-in owner, or (when the API runs open, and on public routes) the client's address. */
function callerKey(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const owner = c.get("owner") as string | undefined;
  if (owner !== undefined && owner !== ownerKey(null)) return owner;
  const bindings = c.env as Partial<HttpBindings> | undefined;
  return `address:${bindings?.incoming?.socket.remoteAddress ?? "unknown"}`;
}

/** Answers 429 with Retry-After once a caller has used up `perMinute` (0: no limit). */
export function rateLimit(perMinute: number, what: string, now?: () => number): MiddlewareHandler<AppEnv> {
  if (perMinute === 0) return createMiddleware<AppEnv>((_c, next) => next());
  const limiter = new TokenBucketLimiter(perMinute, now);
  return createMiddleware<AppEnv>(async (c, next) => {
    const retryAfter = limiter.take(callerKey(c));
    if (retryAfter > 0) {
      throw new ApiProblem(429, "rate_limited", `Too many ${what} requests; try again in ${retryAfter} s`, undefined, {
        "Retry-After": String(retryAfter),
      });
    }
    await next();
  });
}
