import { describe, expect, it } from "vitest";
import type { PutBlobOutcome } from "./blob-transport.js";
import { backoffDelayMs, classifyPutOutcome } from "./retry-policy.js";

const response = (status: number, errorCode: string | null = null): PutBlobOutcome => ({
  kind: "response",
  status,
  errorCode,
});

describe("classifyPutOutcome", () => {
  it.each([
    [response(201), "uploaded"],
    [response(409, "UnauthorizedBlobOverwrite"), "already-exists"],
    [response(403, "AuthorizationPermissionMismatch"), "already-exists"],
    [response(403, "AuthenticationFailed"), "refresh"],
    [response(403, "AuthorizationFailure"), "refresh"],
    [response(403), "refresh"],
    [response(403, "AuthorizationSourceIPMismatch"), "fatal"],
    [response(500), "retry"],
    [response(503, "ServerBusy"), "retry"],
    [response(408), "retry"],
    [response(429), "retry"],
    [{ kind: "network-error" }, "retry"],
    [{ kind: "stalled", afterMs: 20_000 }, "retry"],
    [response(400, "Md5Mismatch"), "fatal"],
    [response(413, "RequestBodyTooLarge"), "fatal"],
    [{ kind: "aborted" }, "cancelled"],
  ] satisfies [PutBlobOutcome, string][])("%j → %s", (outcome, kind) => {
    expect(classifyPutOutcome(outcome).kind).toBe(kind);
  });

  it("explains failures in words", () => {
    expect(classifyPutOutcome({ kind: "stalled", afterMs: 20_000 })).toEqual({
      kind: "retry",
      reason: "no progress for 20 s",
    });
    expect(classifyPutOutcome(response(400, "Md5Mismatch"))).toMatchObject({
      reason: expect.stringContaining("checksum"),
    });
  });
});

describe("backoffDelayMs", () => {
  const options = { baseDelayMs: 500, maxDelayMs: 10_000 };

  it("doubles the ceiling per failure and applies full jitter below it", () => {
    expect(backoffDelayMs(1, options, () => 0.999999)).toBe(499);
    expect(backoffDelayMs(2, options, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
  });

  it("never exceeds the maximum", () => {
    expect(backoffDelayMs(20, options, () => 0.999999)).toBe(9999);
  });
});
