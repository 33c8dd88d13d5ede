import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage } from "../support/test-images.js";

test("never more uploads in flight than the configured concurrency, and all finish", async ({
  page,
  form,
  traffic,
  api,
}) => {
  const config = await api.getConfig();
  const images = Array.from({ length: config.concurrency * 2 + 2 }, (_, i) =>
    pngImage(`pool-${String(i + 1).padStart(2, "0")}.png`, 400_000),
  );
  await form.open();
  await form.fillTitle("Pool check");
  await form.pick(images);
  // A slow shared link keeps uploads overlapping long enough to see the pool fill.
  await throttle(page, { uploadBytesPerSecond: 3_000_000, latencyMs: 40 });
  await form.createButton.click();
  await form.waitForStudyPage("Pool check");

  expect(traffic.puts).toHaveLength(images.length);
  expect(traffic.maxInFlight).toBeLessThanOrEqual(config.concurrency);
  // The pool really runs in parallel: it filled up to its limit.
  expect(traffic.maxInFlight).toBe(config.concurrency);
  // FIFO: the first files added are the first sent (preflights may reorder starts within the first wave).
  const firstWave = traffic
    .putIndexes()
    .slice(0, config.concurrency)
    .sort((a, b) => a - b);
  expect(firstWave).toEqual(images.slice(0, config.concurrency).map((_, i) => i));
});
