import { MIB } from "./bench-plan.js";

/* How the report and the progress log write times, shares and sizes. */

export const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const formatPercent = (ratio: number) => `${Math.round(ratio * 100)}%`;
export const formatMiB = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
