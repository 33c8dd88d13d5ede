import { describe, expect, it } from "vitest";
import { planDedupe } from "./dedupe-plan.js";

describe("planDedupe", () => {
  it("sends 16 × 2 MiB twice on far with the product's two defaults when the run includes far", () => {
    const plan = planDedupe("default", ["lan", "office", "home", "far", "home-wifi", "far-lossy"]);
    expect(plan).toMatchObject({ profile: "far", strategies: ["pool-6", "gateway"], runs: 1 });
    expect(plan.workload.id).toBe("16×2 MiB");
  });

  it("falls back to the first shaped lossless profile, then to the first one, once unless --full", () => {
    expect(planDedupe("quick", ["lan", "far-lossy", "office"])).toMatchObject({ profile: "office", runs: 1 });
    expect(planDedupe("default", ["lan"]).profile).toBe("lan");
  });
});
