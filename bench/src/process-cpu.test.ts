import { describe, expect, it } from "vitest";
import { readProcessCpu } from "./process-cpu.js";

describe("readProcessCpu", () => {
  it("reads a process's CPU time from /proc, agreeing with what the process reports itself", () => {
    const spinUntil = Date.now() + 200;
    while (Date.now() < spinUntil);

    const fromProc = readProcessCpu(process.pid);
    const own = process.cpuUsage();

    const tick = 10_000;
    expect(fromProc.userMicros).toBeGreaterThan(0);
    expect(Math.abs(fromProc.userMicros - own.user)).toBeLessThanOrEqual(own.user * 0.1 + 2 * tick);
    expect(Math.abs(fromProc.systemMicros - own.system)).toBeLessThanOrEqual(own.system * 0.1 + 2 * tick);
  });
});
