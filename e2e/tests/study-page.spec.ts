import { commitStudyThroughApi } from "../support/api-studies.js";
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
