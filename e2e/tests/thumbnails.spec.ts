import type { Page, Response } from "@playwright/test";
import { expect, test } from "../support/fixtures.js";
import { commitStudyThroughApi } from "../support/api-studies.js";
import { jpegImage, pngImage, rawFile } from "../support/test-images.js";

/** The API's limits for a thumbnail (packages/shared thumbnails.ts). */
const THUMBNAIL_MAX_BYTES = 64 * 1024;
const THUMBNAIL_MAX_SIDE_PX = 256;

/** Every committed blob the page reads from storage: its path (the SAS differs per request) and body size. */
function storageReads(page: Page) {
  const reads: Promise<{ path: string; bytes: number }>[] = [];
  const onResponse = (response: Response) => {
    const url = new URL(response.url());
    if (response.request().method() !== "GET" || !url.pathname.includes("committed/")) return;
    // Counted from the network: the bytes of the body the browser received.
    reads.push(response.body().then((body) => ({ path: url.pathname, bytes: body.length })));
  };
  page.on("response", onResponse);
  /** Those of one study (the recent studies beside the form show others'). */
  return { of: async (studyId: string) => (await Promise.all(reads)).filter((r) => r.path.includes(`/${studyId}/`)) };
}

const pathOf = (url: string) => new URL(url, "http://relative.invalid").pathname;

test("the list and the study grid load thumbnails of a few KiB; the full image only when the viewer opens", async ({
  page,
  form,
  api,
  studiesList,
}) => {
  const title = `Thumbnails ${Date.now().toString(36)}`;
  // A noisy image (a worst case for JPEG) wider than tall, and a smooth one taller than wide.
  const images = [pngImage("noisy.png", 600_000), jpegImage("tall.jpg", 600, 1000)];
  const reads = storageReads(page);

  await form.open();
  await form.fillTitle(title);
  await form.pick(images);
  await form.createButton.click();
  const studyId = await form.waitForStudyPage(title);
  const study = await api.getStudy(studyId);
  const thumbnails = study.elements.map((e) => pathOf(e.thumbnailUrl!));
  const fullImages = study.elements.map((e) => pathOf(e.url));

  // The grid shows each thumbnail, at most 256 px a side.
  for (const label of ["noisy", "tall"]) {
    const shown = page.getByRole("button", { name: `View ${label} full size` }).getByRole("img");
    await expect(shown).toHaveJSProperty("complete", true);
    const size = await shown.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(Math.max(...size)).toBe(THUMBNAIL_MAX_SIDE_PX);
  }
  // And the list shows the first one.
  await studiesList.open();
  const listed = page.getByRole("main").getByRole("listitem").filter({ hasText: title }).getByRole("presentation");
  await expect(listed).toHaveJSProperty("complete", true);

  expect(pathOf(await listed.evaluate((img: HTMLImageElement) => img.currentSrc))).toBe(thumbnails[0]);

  const beforeViewer = await reads.of(studyId);
  expect(new Set(beforeViewer.map((r) => r.path))).toEqual(new Set(thumbnails));
  for (const read of beforeViewer) expect(read.bytes).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
  test.info().annotations.push({
    type: "thumbnail bytes",
    description: beforeViewer.map((r) => `${r.path.split("/").pop()}: ${r.bytes}`).join(", "),
  });

  // The viewer loads the full image, byte for byte the one picked.
  await page.goto(`/studies/${studyId}`);
  await page.getByRole("button", { name: "View noisy full size" }).click();
  const viewer = page.getByRole("dialog", { name: "noisy" });
  await expect(viewer.getByRole("img", { name: "noisy" })).toHaveJSProperty("complete", true);
  const afterViewer = await reads.of(studyId);
  const full = afterViewer.filter((r) => r.path === fullImages[0]);
  expect(full).toEqual([{ path: fullImages[0], bytes: images[0]!.buffer.length }]);
  expect(afterViewer.some((r) => r.path === fullImages[1])).toBe(false);
});

test("a study without thumbnails (committed before them) shows a placeholder in the list and its images in the grid", async ({
  page,
  api,
  studiesList,
}) => {
  const title = `No thumbnails ${Date.now().toString(36)}`;
  // Bytes whose pixel size the helper does not know: it sends no thumbnail, as clients before them did not.
  const image = rawFile("plain.jpg", "image/jpeg", jpegImage("plain-source.jpg", 64, 48).buffer);
  const study = await commitStudyThroughApi(api, title, [image]);
  expect(study.elements[0]!.thumbnailUrl).toBeNull();

  await studiesList.open();
  const item = page.getByRole("main").getByRole("listitem").filter({ hasText: title });
  await expect(item).toContainText("1 image");
  await expect(item.getByRole("presentation")).toHaveCount(0);

  await page.goto(`/studies/${study.id}`);
  const shown = page.getByRole("button", { name: "View plain.jpg full size" }).getByRole("img");
  await expect(shown).toHaveJSProperty("naturalWidth", 64);
});
