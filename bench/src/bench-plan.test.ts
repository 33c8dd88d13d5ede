import { describe, expect, it } from "vitest";
import { MIB, WORKLOADS, idealMs, planMatrix, workload } from "./bench-plan.js";
import { NETWORK_PROFILES } from "./network-profiles.js";

describe("idealMs", () => {
  it("is total bytes over the link plus one round trip, and zero on the unshaped lan", () => {
    expect(idealMs(workload(16, 2 * MIB), NETWORK_PROFILES.home)).toBeCloseTo((32 * MIB * 8) / 20_000 + 60, 6);
    expect(idealMs(workload(16, 2 * MIB), NETWORK_PROFILES.lan)).toBe(0);
  });
});

describe("planMatrix", () => {
  const all = ["lan", "office", "home", "far"] as const;

  it("measures every cell and strategy with --full", () => {
    const plan = planMatrix({ mode: "full", profiles: all });
    expect(plan.cells).toHaveLength(WORKLOADS.length * all.length);
    expect(plan.cells.every((c) => c.strategies.length === 5)).toBe(true);
    expect(plan.skipped).toEqual([]);
  });

  it("keeps the target workloads on every profile by default and lists every cell it leaves out", () => {
    const plan = planMatrix({ mode: "default", profiles: all });
    const measured = plan.cells.map((c) => `${c.profile} ${c.workload.id}`);
    for (const profile of all)
      expect(measured).toEqual(expect.arrayContaining([`${profile} 16×256 KiB`, `${profile} 16×2 MiB`]));
    const wholeSkipped = plan.skipped.filter((s) => s.strategy === undefined);
    expect(wholeSkipped.length + plan.cells.length).toBe(WORKLOADS.length * all.length);
    expect(wholeSkipped.find((s) => s.profile === "home" && s.workload.id === "16×8 MiB")?.reason).toMatch(
      /ideal 53\.7 s; run with --full/,
    );
  });

  it("runs pool-3 and pool-12 only where a 16-file transfer is short, and says why elsewhere", () => {
    const plan = planMatrix({ mode: "default", profiles: all });
    const strategiesOf = (profile: string, id: string) =>
      plan.cells.find((c) => c.profile === profile && c.workload.id === id)?.strategies;
    expect(strategiesOf("office", "16×2 MiB")).toEqual(["sequential", "pool-3", "pool-6", "pool-12", "relay"]);
    expect(strategiesOf("home", "16×2 MiB")).toEqual(["sequential", "pool-6", "relay"]);
    expect(
      plan.skipped.find((s) => s.profile === "home" && s.workload.id === "16×2 MiB" && s.strategy === "pool-3")?.reason,
    ).toMatch(/ideal 13\.5 s > 3\.0 s/);
  });

  it("keeps --quick to a few cells", () => {
    const plan = planMatrix({ mode: "quick", profiles: ["lan", "far"] });
    expect(plan.cells.map((c) => `${c.profile} ${c.workload.id}`)).toEqual(["lan 16×256 KiB", "far 16×256 KiB"]);
  });
});
