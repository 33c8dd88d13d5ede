import type { Route } from "@playwright/test";
import { listAllStudies } from "@study-uploader/shared";
import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage } from "../support/test-images.js";
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
  const storagePuts = "**/devstoreaccount1/**";
  await page.route(storagePuts, (route) =>
    route.request().method() === "PUT" && blobIndex(route.request().url()) === 2
      ? storageError(route, 400, "InvalidHeaderValue")
      : route.fallback(),
  );
  await form.pick(images);
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
  const failedOnce = new Set<number>();
  await page.route("**/devstoreaccount1/**", async (route) => {
    const index = blobIndex(route.request().url());
    if (route.request().method() !== "PUT" || index % 3 !== 0 || failedOnce.has(index)) return route.fallback();
    failedOnce.add(index);
    // A third of the uploads fail once: alternately a 503 and a dropped connection.
    return index % 2 === 0 ? storageError(route, 503, "ServerBusy") : route.abort("connectionreset");
  });
  await form.pick(images);
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
  // 6.3 MB over a 1.2 MB/s link: the later files start long after the first URLs expired.
  await throttle(page, { uploadBytesPerSecond: 1_200_000, latencyMs: 20 });
  await form.pick(images);
  await form.createButton.click();
  await form.waitForStudyPage("Expired links");

  expect(traffic.refreshes.length).toBeGreaterThanOrEqual(1);
  expect(traffic.commits).toHaveLength(1);
});

test("bytes changed on the way are refused at commit, the file is named, and Retry sends it again", async ({
  page,
  form,
  traffic,
  api,
}) => {
  const images = [pngImage("genuine-1.png", 30_000), pngImage("tampered.png", 30_000)];
  const studiesBefore = (await listAllStudies(api)).length;
  const html = Buffer.from("<!doctype html><html><body><script>alert(document.domain)</script></body></html>");
  // Something between browser and storage swaps the second file's bytes and drops its checksum header, so storage
  // accepts the upload: only the commit's own check can catch it.
  const storagePuts = "**/devstoreaccount1/**";
  await page.route(storagePuts, (route) => {
    const request = route.request();
    if (request.method() !== "PUT" || blobIndex(request.url()) !== 1) return route.fallback();
    const { "content-md5": _dropped, ...headers } = request.headers();
    return route.continue({ postData: html, headers });
  });
  await form.open();
  await form.fillTitle("Tampered upload");
  await form.pick(images);
  await form.createButton.click();

  const tamperedRow = form.row("tampered.png");
  await expect(tamperedRow).toContainText(/failed/i);
  // Storage kept the swapped bytes; the commit's check names what it found (here the size no longer matches).
  await expect(tamperedRow).toContainText(/failed: .*(size|MD5|not a PNG)/i);
  expect(traffic.commits).toHaveLength(1);
  await expect(form.row("genuine-1.png")).toContainText(/done/i);
  expect((await listAllStudies(api)).length).toBe(studiesBefore);

  await page.unroute(storagePuts);
  await form.retryFailedButton.click();
  const study = await api.getStudy(await form.waitForStudyPage("Tampered upload"));
  expect(study.elements.map((e) => e.name)).toEqual(["genuine-1.png", "tampered.png"]);
  expect(traffic.putIndexes().sort()).toEqual([0, 1, 1]);
});

test("cancel stops the automatic commit; the uploads go on and nothing is committed", async ({
  page,
  form,
  traffic,
  api,
}) => {
  const images = [pngImage("cancel-1.png", 600_000), pngImage("cancel-2.png", 600_000)];
  const studiesBefore = (await listAllStudies(api)).length;
  await form.open();
  await throttle(page, { uploadBytesPerSecond: 300_000 });
  await form.fillTitle("Cancelled study");
  await form.pick(images);
  await form.createButton.click();
  await form.cancelButton.click();

  await expect(form.title).toBeEditable();
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i, { timeout: 30_000 });
  await expect(form.createButton).toHaveText("Create study");
  expect(traffic.commits).toHaveLength(0);
  expect((await listAllStudies(api)).length).toBe(studiesBefore);
  expect(traffic.puts).toHaveLength(2);
});
