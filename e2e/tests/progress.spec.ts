import type { Locator } from "@playwright/test";
import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage } from "../support/test-images.js";

/**
 * Records every aria-valuenow a progress bar takes, with a MutationObserver on the element Playwright found,
 * so no intermediate value is missed between two reads.
 */
async function recordValues(bar: Locator) {
  const values = await bar.evaluateHandle((element) => {
    const seen: number[] = [];
    const record = () => {
      const value = Number(element.getAttribute("aria-valuenow"));
      if (seen.at(-1) !== value) seen.push(value);
    };
    new MutationObserver(record).observe(element, { attributes: true, attributeFilter: ["aria-valuenow"] });
    record();
    return seen;
  });
  return () => values.jsonValue();
}

test("progress bars move while bytes are sent and never go backwards", async ({ page, form }, testInfo) => {
  const big = pngImage("four-mebibytes.png", 4 * 1024 * 1024);
  const small = pngImage("small-companion.png", 512 * 1024);
  await form.open();
  await form.fillTitle("Progress check");
  // Throttled before the pick, since uploads start with it.
  await throttle(page, { uploadBytesPerSecond: 1_500_000, latencyMs: 20 });
  await form.pick([big, small]);

  const bigValues = await recordValues(form.progress(big.name));
  const totalValues = await recordValues(form.totalProgress);
  await form.createButton.click();

  await expect(form.row(big.name)).toContainText(/uploading/i);
  await expect.poll(async () => (await bigValues()).filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(3);
  await testInfo.attach("form mid-upload", {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  await form.waitForStudyPage("Progress check");
  const recorded = {
    [`Upload progress for ${big.name}`]: await bigValues(),
    "Total upload progress": await totalValues(),
  };
  for (const [bar, series] of Object.entries(recorded)) {
    const between = new Set(series.filter((v) => v > 0 && v < 100));
    expect(between.size, `${bar}: ${series.join(",")}`).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < series.length; i++)
      expect(series[i]!, `${bar} went backwards: ${series.join(",")}`).toBeGreaterThanOrEqual(series[i - 1]!);
    // The observed element lived until the end: the same bar showed the finished upload.
    expect(series.at(-1), `${bar}: ${series.join(",")}`).toBe(100);
  }
});
