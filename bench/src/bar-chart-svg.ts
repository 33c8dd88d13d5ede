/*
 * A horizontal bar chart as a hand-written SVG string: one panel per question (say, 16×2 MiB on home), a bar per
 * strategy, and an optional marker (the ideal, a target) drawn as a dashed line. Each panel has its own scale,
 * because lan and home differ by a factor of forty. Pure, so it is unit-tested; no dependency.
 */

export interface ChartBar {
  label: string;
  /** Milliseconds; a bar without a value (not measured) is drawn as "–". */
  valueMs?: number;
  /** Draws the bar in the accent colour (say, the product's default). */
  highlight?: boolean;
}

export interface ChartPanel {
  title: string;
  bars: ChartBar[];
  marker?: { label: string; valueMs: number };
}

export interface BarChart {
  title: string;
  /** What the chart shows, for screen readers and the file's reader. */
  description: string;
  panels: ChartPanel[];
}

const WIDTH = 760;
const LABEL_WIDTH = 120;
const VALUE_ROOM = 70;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const PANEL_TITLE_HEIGHT = 22;
const PANEL_GAP = 18;
const CHART_TITLE_HEIGHT = 34;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_ROOM - 20;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const px = (n: number) => (Math.round(n * 10) / 10).toString();

/** The panel's scale: from 0 to a little past its largest bar or marker, so a lone marker still fits. */
export function panelMaxMs(panel: ChartPanel): number {
  const values = [
    ...panel.bars.flatMap((b) => (b.valueMs !== undefined && Number.isFinite(b.valueMs) ? [b.valueMs] : [])),
    ...(panel.marker && Number.isFinite(panel.marker.valueMs) ? [panel.marker.valueMs] : []),
  ];
  const max = Math.max(0, ...values);
  return max > 0 ? max * 1.08 : 1;
}

function renderPanel(panel: ChartPanel, top: number): { svg: string; height: number } {
  const maxMs = panelMaxMs(panel);
  const x = (ms: number) => LABEL_WIDTH + (Math.max(0, ms) / maxMs) * PLOT_WIDTH;
  const barsTop = top + PANEL_TITLE_HEIGHT;
  const parts = [`<text class="panel" x="8" y="${px(top + 15)}">${escapeXml(panel.title)}</text>`];
  panel.bars.forEach((bar, i) => {
    const y = barsTop + i * (BAR_HEIGHT + BAR_GAP);
    const measured = bar.valueMs !== undefined && Number.isFinite(bar.valueMs);
    parts.push(
      `<text class="label" x="${LABEL_WIDTH - 6}" y="${px(y + BAR_HEIGHT - 4)}" text-anchor="end">${escapeXml(bar.label)}</text>`,
    );
    if (measured) {
      const width = x(bar.valueMs!) - LABEL_WIDTH;
      parts.push(
        `<rect class="${bar.highlight ? "bar accent" : "bar"}" x="${LABEL_WIDTH}" y="${px(y)}" width="${px(width)}" height="${BAR_HEIGHT}"><title>${escapeXml(`${bar.label}: ${seconds(bar.valueMs!)}`)}</title></rect>`,
        `<text class="value" x="${px(x(bar.valueMs!) + 4)}" y="${px(y + BAR_HEIGHT - 4)}">${seconds(bar.valueMs!)}</text>`,
      );
    } else {
      parts.push(`<text class="value" x="${LABEL_WIDTH + 4}" y="${px(y + BAR_HEIGHT - 4)}">– not measured</text>`);
    }
  });
  const barsHeight = panel.bars.length * (BAR_HEIGHT + BAR_GAP);
  if (panel.marker && Number.isFinite(panel.marker.valueMs)) {
    const mx = px(x(panel.marker.valueMs));
    parts.push(
      `<line class="marker" x1="${mx}" x2="${mx}" y1="${px(barsTop - 4)}" y2="${px(barsTop + barsHeight)}"><title>${escapeXml(`${panel.marker.label}: ${seconds(panel.marker.valueMs)}`)}</title></line>`,
      `<text class="marker-label" x="${mx}" y="${px(barsTop + barsHeight + 11)}" text-anchor="middle">${escapeXml(`${panel.marker.label} ${seconds(panel.marker.valueMs)}`)}</text>`,
    );
  }
  return { svg: parts.join("\n"), height: PANEL_TITLE_HEIGHT + barsHeight + (panel.marker ? 14 : 0) };
}

export function renderBarChart(chart: BarChart): string {
  let top = CHART_TITLE_HEIGHT;
  const panels = chart.panels.map((panel) => {
    const rendered = renderPanel(panel, top);
    top += rendered.height + PANEL_GAP;
    return rendered.svg;
  });
  const height = Math.max(top, CHART_TITLE_HEIGHT + 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="chart-title chart-desc">
<title id="chart-title">${escapeXml(chart.title)}</title>
<desc id="chart-desc">${escapeXml(chart.description)}</desc>
<style>
  text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 12px; fill: #1f2933; }
  .heading { font-size: 15px; font-weight: 600; }
  .panel { font-weight: 600; }
  .bar { fill: #9aa5b1; }
  .accent { fill: #2f6fb3; }
  .value, .marker-label { fill: #3e4c59; }
  .marker { stroke: #c2410c; stroke-width: 2; stroke-dasharray: 4 3; }
  .marker-label { fill: #c2410c; font-size: 11px; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text class="heading" x="8" y="20">${escapeXml(chart.title)}</text>
${panels.join("\n")}
</svg>
`;
}
