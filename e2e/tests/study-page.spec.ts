import { commitStudyThroughApi } from "../support/api-studies.js";
import { seriousViolations } from "../support/axe.js";
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
