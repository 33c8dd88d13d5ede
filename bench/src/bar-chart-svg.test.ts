import { describe, expect, it } from "vitest";
import { escapeXml, panelMaxMs, renderBarChart, type BarChart } from "./bar-chart-svg.js";

const chart: BarChart = {
  title: "Time to study <median> & more",
  description: `Bars per strategy; "ideal" is the dashed line`,
  panels: [
    {
      title: "16×2 MiB · home",
      bars: [
        { label: "pool-6", valueMs: 14_000, highlight: true },
        { label: "relay", valueMs: 7_000 },
        { label: "gateway-6" },
      ],
      marker: { label: "ideal", valueMs: 13_480 },
    },
    { title: "16×256 KiB · lan", bars: [{ label: "pool-6", valueMs: 300 }] },
  ],
};

const widths = (svg: string) =>
  [...svg.matchAll(/<rect class="bar[^"]*"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));

describe("renderBarChart", () => {
  const svg = renderBarChart(chart);

  it("is one accessible SVG: a title and a description it is labelled by", () => {
    expect(svg.startsWith("<svg xmlns=")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain('role="img" aria-labelledby="chart-title chart-desc"');
    expect(svg).toContain('<title id="chart-title">Time to study &lt;median&gt; &amp; more</title>');
    expect(svg).toContain('<desc id="chart-desc">Bars per strategy; &quot;ideal&quot; is the dashed line</desc>');
  });

  it("draws a bar per measured strategy, scaled within its panel, and says which were not measured", () => {
    const [pool, relay, lan] = widths(svg);
    expect(widths(svg)).toHaveLength(3);
    expect(relay! / pool!).toBeCloseTo(0.5, 2);
    // Its own scale: the lan panel's one bar spans as much as home's longest.
    expect(lan).toBeCloseTo(pool!, 0);
    expect(svg).toContain("– not measured");
    expect(svg).toContain('class="bar accent"');
  });

  it("marks the ideal with a line and a label", () => {
    expect(svg).toMatch(/<line class="marker"/);
    expect(svg).toContain("ideal 13.48 s");
  });

  it("never writes NaN or Infinity, even for an empty panel or a value that is not finite", () => {
    const odd = renderBarChart({
      title: "t",
      description: "d",
      panels: [
        { title: "empty", bars: [] },
        { title: "odd", bars: [{ label: "x", valueMs: Number.NaN }], marker: { label: "m", valueMs: Infinity } },
      ],
    });
    expect(odd).not.toMatch(/NaN|Infinity/);
    expect(panelMaxMs({ title: "empty", bars: [] })).toBe(1);
  });
});

describe("escapeXml", () => {
  it("escapes the five XML specials", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });
});
