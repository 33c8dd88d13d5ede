import { commitStudyThroughApi, shownKibibytes } from "../support/api-studies.js";
import { testStorage } from "../support/azurite-storage.js";
import { seriousViolations } from "../support/axe.js";
import { expect, test } from "../support/fixtures.js";
import { jpegImage } from "../support/test-images.js";

/** Titles of this run only, in case a reused server still holds an earlier run's studies. */
const run = Date.now().toString(36);

test("an image opens full size from the keyboard, with its facts and its original to download", async ({
  page,
  api,
}) => {
  const image = jpegImage("viewer-full.jpg", 320, 240);
  const study = await commitStudyThroughApi(api, `Viewer ${run}`, [image, jpegImage("viewer-other.jpg", 64, 48)]);
  await page.goto(`/studies/${study.id}`);
  const opener = page.getByRole("button", { name: "View viewer-full.jpg full size" });
  await opener.focus();
  await page.keyboard.press("Enter");

  const viewer = page.getByRole("dialog", { name: "viewer-full.jpg" });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole("heading", { name: "viewer-full.jpg" })).toBeVisible();
  await expect(viewer).toContainText("320 × 240 px");
  await expect(viewer).toContainText(shownKibibytes(image.buffer.length));
  const full = viewer.getByRole("img", { name: "viewer-full.jpg" });
  await expect(full).toHaveJSProperty("naturalWidth", 320);
  expect((await full.boundingBox())?.width).toBe(320);

  const download = viewer.getByRole("link", { name: "Download original" });
  const href = await download.getAttribute("href");
  // The page's own fresh link to the same blob (read links are signed per request).
  expect(new URL(href!).pathname).toBe(new URL(study.elements[0]!.downloadUrl).pathname);
  const original = await page.request.get(href!);
  expect(original.status()).toBe(200);
  expect(original.headers()["content-disposition"]).toContain("attachment");
  expect(original.headers()["content-disposition"]).toContain("viewer-full.jpg");
  expect(await original.body()).toEqual(image.buffer);

  // Escape is the dialog's own; focus goes back to the image that opened it.
  await page.keyboard.press("Escape");
  await expect(viewer).toBeHidden();
  await expect(opener).toBeFocused();

  const other = page.getByRole("button", { name: "View viewer-other.jpg full size" });
  await other.click();
  const otherViewer = page.getByRole("dialog", { name: "viewer-other.jpg" });
  await expect(otherViewer).toContainText("64 × 48 px");
  await otherViewer.getByRole("button", { name: "Close", exact: true }).click();
  await expect(otherViewer).toBeHidden();
  await expect(other).toBeFocused();
});

test("a study deleted from its page leaves the lists, and its images stop being served", async ({ page, api }) => {
  const title = `Deleted ${run}`;
  const study = await commitStudyThroughApi(api, title, [
    jpegImage("gone-1.jpg", 32, 32),
    jpegImage("gone-2.jpg", 32, 32),
  ]);
  const imageUrls = study.elements.map((element) => element.url);
  for (const url of imageUrls) expect((await page.request.get(url)).status()).toBe(200);

  await page.goto("/");
  const recent = page.getByRole("region", { name: "Recent studies" });
  // In-app from here on: the lists change without a reload.
  await recent.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Delete study", exact: true }).click();
  const confirmation = page.getByRole("group", { name: `Delete “${title}” and its 2 images? This cannot be undone.` });
  await expect(confirmation).toBeVisible();
  await expect(confirmation.getByRole("button", { name: "Keep", exact: true })).toBeFocused();
  await confirmation.getByRole("button", { name: "Delete", exact: true }).click();

  await expect(page).toHaveURL(/\/studies$/);
  await expect(page.getByRole("heading", { name: "Studies", level: 1 })).toBeFocused();
  await expect(page.getByRole("status").filter({ hasText: "deleted" })).toHaveText(`Study “${title}” deleted`);
  const main = page.getByRole("main");
  await expect(main.getByRole("link").first()).toBeVisible();
  await expect(main.getByRole("link", { name: title })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New study" }).click();
  await expect(recent.getByRole("link").first()).toBeVisible();
  await expect(recent.getByRole("link", { name: title })).toHaveCount(0);

  for (const url of imageUrls) expect((await page.request.get(url)).status()).toBe(404);
  await expect(api.getStudy(study.id)).rejects.toMatchObject({ status: 404 });

  // A fresh load agrees: the API no longer lists it.
  await page.goto("/studies");
  await expect(main.getByRole("link").first()).toBeVisible();
  await expect(main.getByRole("link", { name: title })).toHaveCount(0);
});

test("a deletion that fails says why beside the button and removes nothing", async ({ page, api }) => {
  const title = `Kept ${run}`;
  const study = await commitStudyThroughApi(api, title, [jpegImage("kept.jpg", 32, 32)]);
  await page.route(
    (url) => url.pathname === `/api/studies/${study.id}`,
    (route) =>
      route.request().method() === "DELETE"
        ? route.fulfill({ status: 503, json: { error: { code: "unavailable", message: "Storage is unavailable" } } })
        : route.fallback(),
  );
  await page.goto(`/studies/${study.id}`);
  await page.getByRole("button", { name: "Delete study", exact: true }).click();
  const confirmation = page.getByRole("group", { name: /^Delete “Kept .*” and its 1 image\?/ });
  await confirmation.getByRole("button", { name: "Delete", exact: true }).click();

  await expect(page.getByRole("alert")).toHaveText("Could not delete the study: Storage is unavailable");
  await expect(page).toHaveURL(new RegExp(`/studies/${study.id}$`));
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "View kept.jpg full size" })).toBeVisible();

  await confirmation.getByRole("button", { name: "Keep", exact: true }).click();
  await expect(page.getByRole("button", { name: "Delete study", exact: true })).toBeFocused();
  await expect(api.getStudy(study.id)).resolves.toMatchObject({ id: study.id });
});

test("a deletion that storage stops half-way is listed as pending, and Delete again finishes it", async ({
  page,
  api,
}) => {
  const title = `Half-deleted ${run}`;
  const study = await commitStudyThroughApi(api, title, [
    jpegImage("half-1.jpg", 32, 32),
    jpegImage("half-2.jpg", 32, 32),
  ]);
  // A real fault in storage: one image cannot be deleted while someone else holds a lease on it.
  const lease = await testStorage().holdLease(study.elements[1]!.url);

  await page.goto(`/studies/${study.id}`);
  await page.getByRole("button", { name: "Delete study", exact: true }).click();
  await page
    .getByRole("group", { name: /^Delete “Half-deleted/ })
    .getByRole("button", { name: "Delete", exact: true })
    .click();
  await expect(page.getByRole("alert")).toContainText("Could not delete the study");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Studies" }).click();
  const main = page.getByRole("main");
  const entry = main.getByRole("listitem").filter({ hasText: title });
  await expect(entry).toContainText("Deletion pending");
  await expect(entry.getByRole("link")).toHaveCount(0);
  const again = entry.getByRole("button", { name: "Delete again" });
  await expect(again).toHaveAccessibleDescription(`${title} Deletion pending: the last attempt did not finish`);
  expect(await seriousViolations(page)).toEqual([]);

  await lease.breakLease();
  await again.click();
  await expect(page.getByRole("status").filter({ hasText: "deleted" })).toHaveText(`Study “${title}” deleted`);
  await expect(main.getByRole("listitem").filter({ hasText: title })).toHaveCount(0);
  for (const element of study.elements) expect((await page.request.get(element.url)).status()).toBe(404);

  // A fresh load agrees: nothing of it is listed any more.
  await page.reload();
  await expect(main.getByRole("link").first()).toBeVisible();
  await expect(main.getByRole("listitem").filter({ hasText: title })).toHaveCount(0);
});
