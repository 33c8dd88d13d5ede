import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage } from "../support/test-images.js";

/** Records every aria-valuenow a progress bar takes, from inside the page, so no intermediate value is missed. */
async function recordProgressValues(page: import("@playwright/test").Page, names: string[]) {
  await page.evaluate((labels) => {
    const seen: Record<string, number[]> = Object.fromEntries(labels.map((l) => [l, []]));
    (window as unknown as { __progress: typeof seen }).__progress = seen;
    const sample = () => {
      for (const label of labels) {
        const bar = document.querySelector(`[role="progressbar"][aria-label="${label}"]`);
        const value = bar?.getAttribute("aria-valuenow");
        if (value === null || value === undefined) continue;
        const list = seen[label]!;
        if (list[list.length - 1] !== Number(value)) list.push(Number(value));
      }
    };
    new MutationObserver(sample).observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-valuenow"],
      childList: true,
    });
    sample();
  }, names);
  return () => page.evaluate(() => (window as unknown as { __progress: Record<string, number[]> }).__progress);
}

test("progress bars move while bytes are sent and never go backwards", async ({ page, form }, testInfo) => {
  const big = pngImage("four-mebibytes.png", 4 * 1024 * 1024);
  const small = pngImage("small-companion.png", 512 * 1024);
  await form.open();
  await form.fillTitle("Progress check");
  await form.pick([big, small]);

  const values = await recordProgressValues(page, [`Upload progress for ${big.name}`, "Total upload progress"]);
  await throttle(page, { uploadBytesPerSecond: 1_500_000, latencyMs: 20 });
  await form.createButton.click();

  await expect(form.row(big.name)).toContainText(/uploading/i);
  await expect
    .poll(async () => (await values())[`Upload progress for ${big.name}`]!.filter((v) => v > 0 && v < 100).length)
    .toBeGreaterThanOrEqual(3);
  await testInfo.attach("form mid-upload", {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  await form.waitForStudyPage("Progress check");
  const recorded = await values();
  for (const [bar, series] of Object.entries(recorded)) {
    const between = new Set(series.filter((v) => v > 0 && v < 100));
    expect(between.size, `${bar}: ${series.join(",")}`).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < series.length; i++)
      expect(series[i]!, `${bar} went backwards: ${series.join(",")}`).toBeGreaterThanOrEqual(series[i - 1]!);
  }
});
