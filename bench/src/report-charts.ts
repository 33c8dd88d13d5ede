import { GATEWAY_DEFAULT, KEY_WORKLOAD_IDS, PRODUCT_DEFAULT, STRATEGIES } from "./bench-plan.js";
import { renderBarChart, type ChartPanel } from "./bar-chart-svg.js";
import { findCell } from "./cell-summary.js";
import { NETWORK_PROFILES, formatBitsPerSecond, type NetworkProfileName } from "./network-profiles.js";
import type { BenchReport } from "./report-types.js";
import { THINK_TARGET_S, THINK_TARGET_SLACK_MS } from "./targets.js";

/*
 * The report's charts: time to study per profile and strategy for the target workloads, with the ideal, at T = 0
 * (pick → study page), and after T = 5 s of typing (click → study page, with the target as the marker).
 */

const PROFILE_ORDER: readonly NetworkProfileName[] = ["lan", "office", "home", "far", "home-wifi", "far-lossy"];

function profileTitle(profile: NetworkProfileName): string {
  const p = NETWORK_PROFILES[profile];
  const loss = p.lossRate > 0 ? `, ${(p.lossRate * 100).toFixed(1)} % loss` : "";
  return Number.isFinite(p.uploadBitsPerSecond)
    ? `${profile} (${p.rttMs} ms RTT, ${formatBitsPerSecond(p.uploadBitsPerSecond)} up${loss})`
    : `${profile} (unshaped)`;
}

function panels(report: BenchReport, thinkS: number, metric: "pickToStudy" | "clickToStudy"): ChartPanel[] {
  // Reports from before page times were measured have none to draw.
  const cells = report.cells.filter(
    (c) =>
      c.thinkS === thinkS && (metric === "pickToStudy" ? c.medianPickToStudyMs : c.medianClickToStudyMs) !== undefined,
  );
  const strategies = STRATEGIES.filter((s) => cells.some((c) => c.strategy === s));
  return KEY_WORKLOAD_IDS.flatMap((workloadId) =>
    PROFILE_ORDER.flatMap((profile): ChartPanel[] => {
      const here = cells.filter((c) => c.profile === profile && c.workloadId === workloadId);
      if (here.length === 0) return [];
      const idealMs = here[0]!.idealMs;
      const rttMs = NETWORK_PROFILES[profile].rttMs;
      return [
        {
          title: `${workloadId} · ${profileTitle(profile)}`,
          bars: strategies.map((strategy) => {
            const cell = findCell(cells, profile, workloadId, strategy, thinkS);
            return {
              label: strategy,
              valueMs: metric === "pickToStudy" ? cell?.medianPickToStudyMs : cell?.medianClickToStudyMs,
              highlight: strategy === PRODUCT_DEFAULT || strategy === GATEWAY_DEFAULT,
            };
          }),
          marker:
            metric === "pickToStudy"
              ? idealMs > 0
                ? { label: "ideal", valueMs: idealMs }
                : undefined
              : { label: "target", valueMs: rttMs + THINK_TARGET_SLACK_MS },
        },
      ];
    }),
  );
}

/** The charts a report has data for, by file suffix (`latest-time-to-study.svg`, …). */
export function reportCharts(report: BenchReport): Array<{ suffix: string; svg: string }> {
  const charts: Array<{ suffix: string; svg: string }> = [];
  const atOnce = panels(report, 0, "pickToStudy");
  if (atOnce.length > 0)
    charts.push({
      suffix: "time-to-study",
      svg: renderBarChart({
        title: "Time to study: files picked → study page shown (clicked at once), median",
        description:
          `Median time from picking the files to the study's page, T = 0, per profile and strategy for the target workloads ` +
          `(${report.mode} run of ${report.startedAt}); the dashed line is the ideal (total bytes ÷ uplink + one RTT). ` +
          `${PRODUCT_DEFAULT} is the product today (cross-origin, HTTP/1.1); ${GATEWAY_DEFAULT} is the same app behind one HTTP/2 origin.`,
        panels: atOnce,
      }),
    });
  const afterThinking = panels(report, THINK_TARGET_S, "clickToStudy");
  if (afterThinking.length > 0)
    charts.push({
      suffix: "click-to-study",
      svg: renderBarChart({
        title: `After ${THINK_TARGET_S} s of typing: click → study page shown, median`,
        description:
          `Median time from the click on Create study to the study's page when the researcher typed for ${THINK_TARGET_S} s after ` +
          `picking the files (${report.mode} run of ${report.startedAt}); the dashed line is the target, one RTT + ${THINK_TARGET_SLACK_MS} ms.`,
        panels: afterThinking,
      }),
    });
  return charts;
}
