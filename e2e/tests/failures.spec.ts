import type { Route } from "@playwright/test";
import { listAllStudies } from "@study-uploader/shared";
import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage, rawFile } from "../support/test-images.js";
import { e2ePorts } from "../support/ports.js";

const blobIndex = (url: string) => Number(new URL(url).pathname.split("/").pop());

/** A storage-like error answer; CORS headers included since the request is cross-origin. */
function storageError(route: Route, status: number, code: string) {
  return route.fulfill({
    status,
    headers: {
      "access-control-allow-origin": route.request().headers()["origin"] ?? "*",
      "access-control-expose-headers": "x-ms-error-code",
      "x-ms-error-code": code,
      "content-type": "application/xml",
    },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
  });
}

test("a file that keeps failing blocks the study until Retry sends just that file", async ({
  page,
  form,
  traffic,
  api,
}) => {
  const images = Array.from({ length: 5 }, (_, i) => pngImage(`persist-${i + 1}.png`, 100_000));
  const studiesBefore = (await listAllStudies(api)).length;
  await form.open();
  await form.fillTitle("Persistent fault");
  await form.pick(images);

  const storagePuts = "**/devstoreaccount1/**";
  await page.route(storagePuts, (route) =>
    route.request().method() === "PUT" && blobIndex(route.request().url()) === 2
      ? storageError(route, 400, "InvalidHeaderValue")
      : route.fallback(),
  );
  await form.createButton.click();

  const failedRow = form.row("persist-3.png");
  await expect(failedRow).toContainText(/failed/i);
  await expect(failedRow.getByRole("button", { name: "Retry persist-3.png" })).toBeVisible();
  for (const other of ["persist-1.png", "persist-2.png", "persist-4.png", "persist-5.png"]) {
    await expect(form.row(other)).toContainText(/done/i);
  }
  await expect(form.retryFailedButton).toBeVisible();
  expect(traffic.commits).toHaveLength(0);
  expect((await listAllStudies(api)).length).toBe(studiesBefore);

  await page.unroute(storagePuts);
  const putsBeforeRetry = traffic.puts.length;
  await failedRow.getByRole("button", { name: "Retry persist-3.png" }).click();
  await form.waitForStudyPage("Persistent fault");

  expect(traffic.putIndexes().slice(putsBeforeRetry)).toEqual([2]);
  expect(traffic.commits.length).toBeGreaterThanOrEqual(1);
  const after = await listAllStudies(api);
  expect(after.length).toBe(studiesBefore + 1);
  expect(after.filter((s) => s.title === "Persistent fault")).toHaveLength(1);
});

test("transient storage faults heal without any user action", async ({ page, form, traffic, api }) => {
  const images = Array.from({ length: 9 }, (_, i) => pngImage(`flaky-${i + 1}.png`, 150_000));
  await form.open();
  await form.fillTitle("Transient faults");
  await form.pick(images);

  const failedOnce = new Set<number>();
  await page.route("**/devstoreaccount1/**", async (route) => {
    const index = blobIndex(route.request().url());
    if (route.request().method() !== "PUT" || index % 3 !== 0 || failedOnce.has(index)) return route.fallback();
    failedOnce.add(index);
    // A third of the uploads fail once: alternately a 503 and a dropped connection.
    return index % 2 === 0 ? storageError(route, 503, "ServerBusy") : route.abort("connectionreset");
  });
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Transient faults");

  expect([...failedOnce].sort()).toEqual([0, 3, 6]);
  expect(traffic.puts.length).toBe(images.length + failedOnce.size);
  expect((await api.getStudy(studyId)).elements).toHaveLength(images.length);
});

test("uploads that outlive their SAS get fresh URLs and complete", async ({ page, form, traffic }) => {
  // This API instance issues upload URLs that expire after 3 seconds.
  await page.goto(`http://127.0.0.1:${e2ePorts().shortSasApi}/`);
  const images = Array.from({ length: 9 }, (_, i) => pngImage(`slow-${i + 1}.png`, 700_000));
  await form.fillTitle("Expired links");
  await form.pick(images);
  // 6.3 MB over a 1.2 MB/s link: the later files start long after the first URLs expired.
  await throttle(page, { uploadBytesPerSecond: 1_200_000, latencyMs: 20 });
  await form.createButton.click();
  await form.waitForStudyPage("Expired links");

  expect(traffic.refreshes.length).toBeGreaterThanOrEqual(1);
  expect(traffic.commits).toHaveLength(1);
});

test("a spoofed image is uploaded but the commit refuses it and names the file", async ({ form, traffic, api }) => {
  const html = Buffer.from("<!doctype html><html><body><script>alert(document.domain)</script></body></html>");
  const images = [
    pngImage("genuine-1.png", 30_000),
    rawFile("photo.png", "image/png", html),
    pngImage("genuine-2.png", 30_000),
  ];
  const studiesBefore = (await listAllStudies(api)).length;
  await form.open();
  await form.fillTitle("Spoof attempt");
  await form.pick(images);
  await form.createButton.click();

  const spoofRow = form.row("photo.png");
  await expect(spoofRow).toContainText(/failed/i);
  await expect(spoofRow).toContainText(/not a PNG image/i);
  expect(traffic.putIndexes().sort()).toEqual([0, 1, 2]);
  expect(traffic.commits.length).toBeGreaterThanOrEqual(1);
  await expect(form.row("genuine-1.png")).toContainText(/done/i);
  expect((await listAllStudies(api)).length).toBe(studiesBefore);
});

test("cancel stops the uploads and commits nothing", async ({ page, form, traffic, api }) => {
  const { concurrency } = await api.getConfig();
  // More files than the pool runs at once, so some are still waiting when Cancel is pressed.
  const images = Array.from({ length: concurrency + 2 }, (_, i) => pngImage(`cancel-${i + 1}.png`, 2 * 1024 * 1024));
  const studiesBefore = (await listAllStudies(api)).length;
  // The app's timers follow a clock the test can run ahead; until then it keeps real time.
  await page.clock.install();
  await form.open();
  await form.fillTitle("Cancelled study");
  await form.pick(images);
  // 500 kB/s shared: no 2 MiB upload can finish before Cancel is pressed.
  await throttle(page, { uploadBytesPerSecond: 500_000 });
  await form.createButton.click();
  await expect.poll(() => traffic.puts.length).toBeGreaterThan(0);
  await expect(form.totalProgress).not.toHaveAttribute("aria-valuenow", "0");

  await form.cancelButton.click();
  // Settled: the form is editable again and every upload the browser started has ended, none of them finished.
  await expect(form.createButton).toBeEnabled();
  await expect.poll(() => traffic.inFlight).toBe(0);
  expect(traffic.puts.filter((put) => put.failure() === null).map((put) => new URL(put.url()).pathname)).toEqual([]);
  const putsAtCancel = traffic.puts.length;
  // Every timer the app still holds fires now (retry backoffs up to 10 s, the 20 s stall watchdog): none sends again.
  await page.clock.runFor(60_000);
  expect(traffic.puts.length).toBe(putsAtCancel);
  expect(traffic.commits).toHaveLength(0);
  expect((await listAllStudies(api)).length).toBe(studiesBefore);
  await expect(form.title).toBeEditable();
  await expect(form.createButton).toBeEnabled();
});
