import { commitStudyThroughApi } from "../support/api-studies.js";
import { seriousViolations } from "../support/axe.js";
import { expect, test, throttle } from "../support/fixtures.js";
import { jpegImage, pngImage } from "../support/test-images.js";

test("no serious accessibility violations on the form, mid-upload and on the study page", async ({
  page,
  form,
}, testInfo) => {
  await form.open();
  expect(await seriousViolations(page)).toEqual([]);

  await form.fillTitle("Accessible study");
  // Throttled before the pick, since uploads start with it. The first image's PUT is also held until the
  // "Creating the study after…" state has been checked: throttling alone let a slow axe run outlast the uploads.
  const cdp = await throttle(page, { uploadBytesPerSecond: 600_000 });
  let releaseFirstPut = () => {};
  const firstPutHeld = new Promise<void>((resolve) => (releaseFirstPut = resolve));
  await page.route("**/devstoreaccount1/**", async (route) => {
    const request = route.request();
    if (request.method() === "PUT" && new URL(request.url()).pathname.endsWith("/0")) await firstPutHeld;
    // A PUT the engine gave up on while it was held is gone; nothing is left to pass on.
    await route.fallback().catch(() => {});
  });
  await form.pick([
    pngImage("a11y-1.png", 1_500_000),
    pngImage("a11y-2.png", 1_500_000),
    pngImage("a11y-3.png", 20_000),
  ]);
  await expect(form.row("a11y-1.png")).toContainText(/uploading/i);
  expect(await seriousViolations(page)).toEqual([]);

  await form.createButton.click();
  await expect(page.getByRole("button", { name: /^Creating the study after/ })).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
  await testInfo.attach("form mid-upload (throttled)", {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });
  releaseFirstPut();
  await cdp.detach();

  await form.waitForStudyPage("Accessible study");
  expect(await seriousViolations(page)).toEqual([]);
});

test("a study can be created with the keyboard alone", async ({ page, form }) => {
  await form.open();
  // The first Tab reaches the skip link, which jumps over the header to the form.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(form.title).toBeFocused();
  await page.keyboard.type("Keyboard study");
  await page.keyboard.press("Tab");
  await expect(form.description).toBeFocused();
  await page.keyboard.type("Made without a mouse.");

  // The next stop is the image picker; Enter opens the system file dialog.
  await page.keyboard.press("Tab");
  await expect(form.fileInput).toBeFocused();
  const chooser = page.waitForEvent("filechooser");
  await page.keyboard.press("Enter");
  await (await chooser).setFiles([pngImage("keyboard-1.png", 5_000).path, pngImage("keyboard-2.png", 5_000).path]);
  await expect(form.label("keyboard-1.png")).toBeVisible();

  // On through the new rows (each label can be edited) to the create button.
  await page.keyboard.press("Tab");
  await expect(form.label("keyboard-1.png")).toBeFocused();
  await expect(async () => {
    await page.keyboard.press("Tab");
    await expect(form.createButton).toBeFocused({ timeout: 100 });
  }).toPass({ intervals: [0], timeout: 10_000 });
  await page.keyboard.press("Enter");
  await form.waitForStudyPage("Keyboard study");
});

test("no serious accessibility violations on the list with thumbnails, the study page, the viewer and the delete confirmation", async ({
  page,
  api,
  studiesList,
}) => {
  const title = `Browsed ${Date.now().toString(36)}`;
  const study = await commitStudyThroughApi(api, title, [jpegImage("browse-1.jpg", 64, 48), jpegImage("browse-2.jpg")]);
  await studiesList.open();
  await expect(
    page.getByRole("main").getByRole("listitem").filter({ hasText: title }).getByRole("presentation"),
  ).toHaveJSProperty("complete", true);
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto(`/studies/${study.id}`);
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("button", { name: "View browse-2.jpg full size" }).click();
  const viewer = page.getByRole("dialog", { name: "browse-2.jpg" });
  await expect(viewer.getByRole("img", { name: "browse-2.jpg" })).toHaveJSProperty("complete", true);
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");
  await expect(viewer).toBeHidden();

  await page.getByRole("button", { name: "Delete study", exact: true }).click();
  await expect(page.getByRole("button", { name: "Keep", exact: true })).toBeFocused();
  expect(await seriousViolations(page)).toEqual([]);
});
