import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcessCpu {
  userMicros: number;
  systemMicros: number;
}

let ticksPerSecond: number | undefined;

/**
 * CPU time another process has used so far, from Linux's /proc/PID/stat, so the bench can measure the API and the
 * relay the same way from outside, without touching either. Resolution is one clock tick (usually 10 ms): compare
 * totals over many studies, not single ones.
 */
export function readProcessCpu(pid: number): ProcessCpu {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name sits in parentheses and may hold spaces; fields after it are fixed: utime is 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const toMicros = (ticks: string | undefined) => (Number(ticks) / (ticksPerSecond ?? 100)) * 1_000_000;
  return { userMicros: toMicros(fields[11]), systemMicros: toMicros(fields[12]) };
}
