import { describe, expect, it } from "vitest";
import { MIB, STRATEGIES, WORKLOADS, idealMs, planMatrix, timedRunCount, workload } from "./bench-plan.js";
import { runTimeoutMs } from "./loss-plan.js";
import { NETWORK_PROFILES } from "./network-profiles.js";

describe("idealMs", () => {
  it("is total bytes over the link plus one round trip, and zero on the unshaped lan", () => {
    expect(idealMs(workload(16, 2 * MIB), NETWORK_PROFILES.home)).toBeCloseTo((32 * MIB * 8) / 20_000 + 60, 6);
    expect(idealMs(workload(16, 2 * MIB), NETWORK_PROFILES.lan)).toBe(0);
  });
});

describe("planMatrix", () => {
  const all = ["lan", "office", "home", "far"] as const;

  it("measures every cell and strategy with --full, and every think time for the target workloads", () => {
    const plan = planMatrix({ mode: "full", profiles: all });
    expect(plan.cells.filter((c) => c.thinkS === 0)).toHaveLength(WORKLOADS.length * all.length);
    expect(plan.cells.filter((c) => c.thinkS > 0)).toHaveLength(2 * 2 * all.length);
    expect(plan.cells.every((c) => c.strategies.length === STRATEGIES.length)).toBe(true);
    expect(plan.skipped).toEqual([]);
  });

  it("keeps the target workloads on every profile by default and lists every cell it leaves out", () => {
    const plan = planMatrix({ mode: "default", profiles: all });
    const atOnce = plan.cells.filter((c) => c.thinkS === 0);
    const measured = atOnce.map((c) => `${c.profile} ${c.workload.id}`);
    for (const profile of all)
      expect(measured).toEqual(expect.arrayContaining([`${profile} 16×256 KiB`, `${profile} 16×2 MiB`]));
    const wholeSkipped = plan.skipped.filter((s) => s.strategy === undefined && s.thinkS === 0);
    expect(wholeSkipped.length + atOnce.length).toBe(WORKLOADS.length * all.length);
    expect(wholeSkipped.find((s) => s.profile === "home" && s.workload.id === "16×8 MiB")?.reason).toMatch(
      /ideal 53\.7 s; run with --full/,
    );
  });

  it("runs the other pools only where a 16-file transfer is short, and says why elsewhere", () => {
    const plan = planMatrix({ mode: "default", profiles: all });
    const strategiesOf = (profile: string, id: string, thinkS = 0) =>
      plan.cells.find((c) => c.profile === profile && c.workload.id === id && c.thinkS === thinkS)?.strategies;
    expect(strategiesOf("office", "16×2 MiB")).toEqual(STRATEGIES.filter((s) => s !== "pool-3"));
    expect(strategiesOf("far", "16×2 MiB")).toEqual(["pool-6", "gateway", "gateway-12", "gateway-6", "relay"]);
    expect(strategiesOf("home", "16×2 MiB")).toEqual(["pool-6", "gateway", "relay"]);
    expect(strategiesOf("far", "16×256 KiB")).toEqual(["sequential", "pool-6", "gateway", "gateway-6", "relay"]);
    expect(strategiesOf("home", "16×256 KiB")).toEqual(["pool-6", "gateway", "gateway-6", "relay"]);
    expect(
      plan.skipped.find((s) => s.profile === "home" && s.workload.id === "16×2 MiB" && s.strategy === "pool-3")?.reason,
    ).toMatch(/ideal 13\.5 s > 3\.0 s/);
  });

  it("measures think time for the target workloads on the shaped profiles, with fewer runs", () => {
    const plan = planMatrix({ mode: "default", profiles: all });
    const thinking = plan.cells.filter((c) => c.thinkS > 0);
    expect(thinking.map((c) => `${c.thinkS} ${c.profile} ${c.workload.id} ${c.runs}`)).toEqual([
      "5 office 16×256 KiB 2",
      "5 office 16×2 MiB 2",
      "5 home 16×256 KiB 2",
      "5 home 16×2 MiB 2",
      "5 far 16×256 KiB 2",
      "5 far 16×2 MiB 2",
      "20 home 16×2 MiB 1",
    ]);
    expect(thinking.every((c) => c.strategies.join() === "pool-6,gateway")).toBe(true);
    expect(plan.skipped.find((s) => s.thinkS === 5 && s.strategy === "relay")?.reason).toMatch(/starts at the click/);
    expect(timedRunCount(plan, 3)).toBe(plan.cells.reduce((sum, c) => sum + c.strategies.length * (c.runs ?? 3), 0));
  });

  it("keeps --quick to a few cells", () => {
    const plan = planMatrix({ mode: "quick", profiles: ["lan", "far"] });
    expect(plan.cells.map((c) => `${c.profile} ${c.workload.id} T=${c.thinkS}`)).toEqual([
      "lan 16×256 KiB T=0",
      "far 16×256 KiB T=0",
      "far 16×256 KiB T=5",
    ]);
  });

  it("measures the lossy links with their own cells: relay, gateway and the pools side by side, with think time", () => {
    const plan = planMatrix({ mode: "default", profiles: ["far", "home-wifi", "far-lossy"] });
    const lossy = plan.cells.filter((c) => c.profile !== "far");
    expect(lossy.map((c) => `${c.profile} ${c.workload.id} T=${c.thinkS} ×${c.runs}: ${c.strategies.join()}`)).toEqual([
      "home-wifi 16×256 KiB T=0 ×2: pool-6,pool-12,gateway,gateway-6,relay",
      "home-wifi 16×2 MiB T=0 ×1: pool-6,pool-12,gateway,relay",
      "home-wifi 16×256 KiB T=5 ×1: pool-6,pool-12,gateway",
      "far-lossy 16×256 KiB T=0 ×2: pool-6,pool-12,gateway,relay",
      "far-lossy 16×256 KiB T=5 ×1: pool-6,pool-12,gateway",
    ]);
    expect(plan.cells.filter((c) => c.profile === "far")).toHaveLength(4);
    expect(
      plan.skipped.find((s) => s.profile === "far-lossy" && s.workload.id === "16×2 MiB" && s.thinkS === 0)?.reason,
    ).toMatch(/lossy link/);
  });

  it("gives a lossy profile one small cell in --quick", () => {
    const plan = planMatrix({ mode: "quick", profiles: ["far-lossy"] });
    expect(plan.cells.map((c) => `${c.workload.id} T=${c.thinkS} ${c.strategies.join()}`)).toEqual([
      "16×256 KiB T=0 pool-6,gateway,relay",
    ]);
  });
});

describe("runTimeoutMs", () => {
  it("leaves a lossy link's single connection three times its Mathis time", () => {
    // 4 MiB at 0.95 Mbit/s ≈ 35 s; ×3 + a minute.
    expect(runTimeoutMs(workload(16, 256 * 1024), "far-lossy", 0) / 1000).toBeCloseTo(166, 0);
    expect(runTimeoutMs(workload(16, 256 * 1024), "far", 5)).toBeCloseTo(10 * 820 + 5_000 + 60_000, -2);
  });
});
