import { commitStudyThroughApi } from "../support/api-studies.js";
import { seriousViolations } from "../support/axe.js";
import type { Page } from "@playwright/test";
import { expect, test } from "../support/fixtures.js";
import { jpegImage } from "../support/test-images.js";

test("the study page shows each image's pixel size", async ({ page, api }) => {
  const study = await commitStudyThroughApi(api, "Pixel size", [jpegImage("pixels.jpg", 320, 240)]);
  await page.goto(`/studies/${study.id}`);
  await expect(page.getByRole("heading", { name: "Pixel size", level: 1 })).toBeVisible();
  const figure = page.getByRole("figure").filter({ has: page.getByRole("img", { name: "pixels.jpg" }) });
  await expect(figure).not.toContainText("null");
  await expect(figure).toContainText("320 × 240 px");
});

test("a malformed study link says the study was not found and links back", async ({ page }) => {
  await page.goto("/studies/%E0");
  await expect(page.getByRole("heading", { name: "Study not found", level: 1 })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole("main").getByRole("link", { name: "All studies" }).click();
  await expect(page.getByRole("heading", { name: "Studies", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/studies$/);
});

test("an error while a page renders shows a way back instead of a blank page, and clears on the next route", async ({
  page,
  api,
}) => {
  const study = await commitStudyThroughApi(api, "Breaks while rendering", [jpegImage("breaks.jpg", 64, 48)]);
  // The study page formats its date while rendering: making that throw stands for any render error. The list
  // formats dates the same way, so only a study's own page breaks (the path is read at each call).
  await page.addInitScript(() => {
    const formatDescriptor = Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, "format")!;
    Object.defineProperty(Intl.DateTimeFormat.prototype, "format", {
      get(this: Intl.DateTimeFormat) {
        if (/^\/studies\/./.test(location.pathname)) throw new Error("date formatting failed");
        return formatDescriptor.get!.call(this) as unknown;
      },
    });
  });
  await page.goto(`/studies/${study.id}`);
  await expect(page.getByRole("heading", { name: "Something went wrong", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reload the page" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole("main").getByRole("link", { name: "All studies" }).click();
  await expect(page.getByRole("heading", { name: "Studies", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Breaks while rendering" })).toBeVisible();
});

/** Image requests the page makes, seen through the DevTools protocol: whether the network or the cache served each. */
async function watchImageTraffic(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const requests = new Map<string, { url: string; fromCache: boolean; bytes: number }>();
  cdp.on("Network.requestWillBeSent", (event) => {
    if (event.type === "Image") requests.set(event.requestId, { url: event.request.url, fromCache: false, bytes: 0 });
  });
  cdp.on("Network.requestServedFromCache", (event) => {
    const request = requests.get(event.requestId);
    if (request) request.fromCache = true;
  });
  cdp.on("Network.responseReceived", (event) => {
    const request = requests.get(event.requestId);
    if (request && (event.response.fromDiskCache || event.response.fromPrefetchCache)) request.fromCache = true;
  });
  cdp.on("Network.loadingFinished", (event) => {
    const request = requests.get(event.requestId);
    if (request) request.bytes = event.encodedDataLength;
  });
  return {
    /** Bytes of images that came over the network since the last `reset`. */
    networkBytes: () => [...requests.values()].filter((r) => !r.fromCache).reduce((sum, r) => sum + r.bytes, 0),
    reset: () => requests.clear(),
  };
}

async function expectImagesShown(page: Page, names: string[]) {
  for (const name of names) {
    const image = page.getByRole("img", { name }).first();
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  }
}

test("a second visit to a study page takes its images from the browser's cache: no image bytes over the network", async ({
  page,
  api,
}) => {
  const images = [jpegImage("cached-1.jpg", 640, 480), jpegImage("cached-2.jpg", 480, 640)];
  const study = await commitStudyThroughApi(api, "Seen twice", images);
  const traffic = await watchImageTraffic(page);

  await page.goto(`/studies/${study.id}`);
  await expectImagesShown(page, ["cached-1.jpg", "cached-2.jpg"]);
  // The meter sees the first visit's downloads, so a zero below means the cache, not a blind meter.
  await expect.poll(() => traffic.networkBytes()).toBeGreaterThan(0);

  await page.goto("/studies");
  await expect(page.getByRole("link", { name: "Seen twice" })).toBeVisible();
  traffic.reset();
  await page.goto(`/studies/${study.id}`);
  await expectImagesShown(page, ["cached-1.jpg", "cached-2.jpg"]);
  expect(traffic.networkBytes()).toBe(0);
});
