import type { Locator, Page } from "@playwright/test";
import { PNG } from "pngjs";
import { commitStudyThroughApi } from "../support/api-studies.js";
import { seriousViolations } from "../support/axe.js";
import { expect, test } from "../support/fixtures.js";
import { jpegImage } from "../support/test-images.js";

/** Titles of this run only, in case a reused server still holds an earlier run's studies. */
const run = Date.now().toString(36);

/** A study whose second image is far larger than the window. */
async function openLargeImageStudy(page: Page, api: Parameters<typeof commitStudyThroughApi>[0], title: string) {
  const study = await commitStudyThroughApi(api, `${title} ${run}`, [
    jpegImage("viewer-first.jpg", 640, 480),
    jpegImage("viewer-large.jpg", 3200, 2200),
    jpegImage("viewer-third.jpg", 800, 600),
  ]);
  await page.goto(`/studies/${study.id}`);
  await expect(page.getByRole("heading", { name: `${title} ${run}`, level: 1 })).toBeVisible();
  return study;
}

async function expectWithin(inner: Locator, outer: { x: number; y: number; width: number; height: number }) {
  const box = (await inner.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(outer.x);
  expect(box.y).toBeGreaterThanOrEqual(outer.y);
  expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width);
  expect(box.y + box.height).toBeLessThanOrEqual(outer.y + outer.height);
  return box;
}

test("a large image opens fitted to the window, the arrow keys move through the study and Z shows it at actual size", async ({
  page,
  api,
}) => {
  await openLargeImageStudy(page, api, "Large viewer");
  const viewport = page.viewportSize()!;
  const window = { x: 0, y: 0, ...viewport };
  await page.getByRole("button", { name: "View viewer-large.jpg full size" }).click();

  const viewer = page.getByRole("dialog", { name: "viewer-large.jpg 2 of 3" });
  await expect(viewer).toBeVisible();
  const large = viewer.getByRole("img", { name: "viewer-large.jpg" });
  await expect(large).toHaveJSProperty("complete", true);
  await expect(large).toHaveJSProperty("naturalWidth", 3200);
  const fitted = await expectWithin(large, (await viewer.boundingBox())!);
  await expectWithin(viewer, window);
  expect(fitted.width / fitted.height).toBeCloseTo(3200 / 2200, 1);
  // Everything around the image stays in view too.
  await expect(viewer.getByText("2 of 3", { exact: true })).toBeInViewport({ ratio: 1 });
  for (const name of ["Close", "Previous", "Next", "Actual size"]) {
    await expect(viewer.getByRole("button", { name, exact: true })).toBeInViewport({ ratio: 1 });
  }
  await expect(viewer.getByRole("link", { name: "Download original" })).toBeInViewport({ ratio: 1 });
  await expect(viewer).toContainText("3200 × 2200 px");
  expect(await seriousViolations(page)).toEqual([]);

  await page.keyboard.press("ArrowRight");
  const third = page.getByRole("dialog", { name: "viewer-third.jpg 3 of 3" });
  await expect(third.getByRole("heading", { name: "viewer-third.jpg" })).toBeVisible();
  await expect(third.getByRole("img", { name: "viewer-third.jpg" })).toBeVisible();
  await expect(third.getByRole("status")).toHaveText("viewer-third.jpg, 3 of 3");
  await expect(third.getByRole("button", { name: "Next" })).toHaveAttribute("aria-disabled", "true");
  expect(await seriousViolations(page)).toEqual([]);
  // The last image is where it stops.
  await page.keyboard.press("ArrowRight");
  await expect(third.getByText("3 of 3", { exact: true })).toBeVisible();

  await page.keyboard.press("ArrowLeft");
  await expect(viewer.getByText("2 of 3", { exact: true })).toBeVisible();
  await expect(viewer.getByRole("status")).toHaveText("viewer-large.jpg, 2 of 3");
  // The dialog stayed open throughout: focus is still on its Close button, where opening put it.
  await expect(viewer.getByRole("button", { name: "Close" })).toBeFocused();

  const actualSize = viewer.getByRole("button", { name: "Actual size" });
  await expect(actualSize).toHaveAttribute("aria-pressed", "false");
  await page.keyboard.press("z");
  await expect(actualSize).toHaveAttribute("aria-pressed", "true");
  await expect.poll(async () => (await large.boundingBox())?.width).toBe(3200);
  const frame = viewer.getByRole("region", { name: "viewer-large.jpg at actual size" });
  // The frame scrolls the image by keyboard, and keeps its arrow keys for that.
  await frame.focus();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => frame.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
  await expect(viewer.getByText("2 of 3", { exact: true })).toBeVisible();

  await page.keyboard.press("z");
  await expect(actualSize).toHaveAttribute("aria-pressed", "false");
  await expect.poll(async () => (await large.boundingBox())?.width).toBeLessThan(viewport.width);
  await expectWithin(large, window);

  // The button does the same from the keyboard.
  await actualSize.focus();
  await page.keyboard.press("Space");
  await expect(actualSize).toHaveAttribute("aria-pressed", "true");
  await expect.poll(async () => (await large.boundingBox())?.width).toBe(3200);
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("Space");
  await expect(actualSize).toHaveAttribute("aria-pressed", "false");

  // Focus goes back to the image last shown, not the one that opened the viewer.
  await page.keyboard.press("ArrowRight");
  await expect(third).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(third).toBeHidden();
  await expect(page.getByRole("button", { name: "View viewer-third.jpg full size" })).toBeFocused();
});

test("a click on the image shows it at actual size around the clicked point, and another fits it again", async ({
  page,
  api,
}) => {
  await openLargeImageStudy(page, api, "Clicked viewer");
  await page.getByRole("button", { name: "View viewer-large.jpg full size" }).click();
  const viewer = page.getByRole("dialog", { name: "viewer-large.jpg" });
  const large = viewer.getByRole("img", { name: "viewer-large.jpg" });
  await expect(large).toHaveJSProperty("complete", true);
  const fitted = (await large.boundingBox())!;
  expect(fitted.width).toBeLessThan(3200);

  // Near the bottom-right corner: the frame scrolls there rather than staying at the top-left.
  await large.click({ position: { x: fitted.width * 0.9, y: fitted.height * 0.9 } });
  await expect(viewer.getByRole("button", { name: "Actual size" })).toHaveAttribute("aria-pressed", "true");
  await expect.poll(async () => (await large.boundingBox())?.width).toBe(3200);
  const frame = viewer.getByRole("region", { name: "viewer-large.jpg at actual size" });
  const scrolled = await frame.evaluate((element) => ({ left: element.scrollLeft, top: element.scrollTop }));
  expect(scrolled.left).toBeGreaterThan(3200 * 0.5);
  expect(scrolled.top).toBeGreaterThan(2200 * 0.5);

  await large.click();
  await expect(viewer.getByRole("button", { name: "Actual size" })).toHaveAttribute("aria-pressed", "false");
  await expect.poll(async () => (await large.boundingBox())?.width).toBe(fitted.width);
  const previous = page.getByRole("dialog").getByRole("button", { name: "Previous" });
  await expect(previous).toHaveAttribute("aria-disabled", "false");
  await previous.click();
  await expect(page.getByRole("dialog", { name: "viewer-first.jpg 1 of 3" })).toBeVisible();
  await expect(previous).toHaveAttribute("aria-disabled", "true");
  // A button that cannot act keeps its focus: the keyboard user is not dropped onto the page behind.
  await expect(previous).toBeFocused();
});

test("on a phone the large image is fitted too, with Close and Download in view", async ({ page, api }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openLargeImageStudy(page, api, "Phone viewer");
  await page.getByRole("button", { name: "View viewer-large.jpg full size" }).click();
  const viewer = page.getByRole("dialog", { name: "viewer-large.jpg 2 of 3" });
  const large = viewer.getByRole("img", { name: "viewer-large.jpg" });
  await expect(large).toHaveJSProperty("complete", true);
  await expectWithin(large, { x: 0, y: 0, width: 390, height: 844 });
  await expect(viewer.getByRole("button", { name: "Close" })).toBeInViewport({ ratio: 1 });
  await expect(viewer.getByRole("link", { name: "Download original" })).toBeInViewport({ ratio: 1 });
});

/** The colour of one pixel of what the page shows inside `locator`'s box. */
async function pixelAt(locator: Locator, x: number, y: number) {
  const png = PNG.sync.read(await locator.screenshot());
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

test("a gallery thumbnail reached by Tab shows its focus ring over the image", async ({ page, api }) => {
  await openLargeImageStudy(page, api, "Focus ring");
  const thumbnail = page.getByRole("button", { name: "View viewer-first.jpg full size" });
  await expect(thumbnail.getByRole("img")).toHaveJSProperty("complete", true);
  const box = (await thumbnail.boundingBox())!;
  const edge = { x: 1, y: Math.round(box.height / 2) };
  const accent = [0x0b, 0x5c, 0xad];
  const isAccent = (rgb: number[]) => rgb.every((value, i) => Math.abs(value - accent[i]!) <= 8);
  expect(isAccent(await pixelAt(thumbnail, edge.x, edge.y))).toBe(false);

  await page.getByRole("button", { name: "Delete study", exact: true }).focus();
  await page.keyboard.press("Tab");
  await expect(thumbnail).toBeFocused();
  expect(isAccent(await pixelAt(thumbnail, edge.x, edge.y))).toBe(true);
  expect(isAccent(await pixelAt(thumbnail, Math.round(box.width / 2), Math.round(box.height) - 2))).toBe(true);
});
