import { describe, expect, it } from "vitest";
import { SWEEP_GRACE_MS, assertCommitInTime, assertStillStaging, stagingDeadline } from "./batches.js";
import { DomainError } from "./domain-error.js";
import type { BatchPlan } from "./records.js";

const config = { stagingTtlHours: 2 };
const plan: BatchPlan = { version: 1, batchId: "b", owner: "o", createdAt: "2026-01-01T00:00:00.000Z", files: [] };
const deadline = Date.parse("2026-01-01T02:00:00.000Z");

describe("a batch's deadlines", () => {
  it("is stageable until its staging TTL is over", () => {
    expect(stagingDeadline(config, plan)).toBe(deadline);
    expect(() => assertStillStaging(config, plan, deadline)).not.toThrow();
    expect(() => assertStillStaging(config, plan, deadline + 1)).toThrow(DomainError);
  });

  it("lets a commit that started in time write its study until half the sweep's grace, never later", () => {
    expect(() => assertCommitInTime(config, plan, deadline + SWEEP_GRACE_MS / 2)).not.toThrow();
    expect(() => assertCommitInTime(config, plan, deadline + SWEEP_GRACE_MS / 2 + 1)).toThrow(/expired while/);
  });
});
