import type { Page, Route } from "@playwright/test";
import { seriousViolations } from "../support/axe.js";
import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage, rawFile } from "../support/test-images.js";

const rows = (page: Page) => page.getByRole("list", { name: "Images" }).getByRole("listitem");
const pickNotice = (page: Page) => page.getByRole("group", { name: "Files not added" });
const statusBar = (page: Page) => page.getByRole("group", { name: "Upload status" });

/** Every PUT of the file at this batch index is refused as storage refuses a bad request: it fails for good. */
async function failUploadsOf(page: Page, index: number) {
  await page.route("**/devstoreaccount1/**", (route: Route) =>
    route.request().method() === "PUT" && new URL(route.request().url()).pathname.endsWith(`/${index}`)
      ? route.fulfill({
          status: 400,
          headers: {
            "access-control-allow-origin": route.request().headers()["origin"] ?? "*",
            "access-control-expose-headers": "x-ms-error-code",
            "x-ms-error-code": "InvalidHeaderValue",
            "content-type": "application/xml",
          },
          body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidHeaderValue</Code></Error>`,
        })
      : route.fallback(),
  );
}

test("a file picked again is not added twice, in one pick or a later one; the row that holds it is pointed out", async ({
  page,
  form,
  traffic,
}) => {
  const photo = pngImage("trust-photo.png", 30_000);
  const other = pngImage("trust-other.png", 30_000);
  await form.open();
  await form.pick([photo, photo, other]);
  await expect(rows(page)).toHaveCount(2);
  await form.pick([photo]);
  await expect(rows(page)).toHaveCount(2);
  await expect(form.row(photo.name)).toContainText("already added");
  await expect(form.row(other.name)).not.toContainText("already added");
  await expect(pickNotice(page)).toContainText(`${photo.name} is already in the list: not added again.`);
  for (const image of [photo, other]) await expect(form.row(image.name)).toContainText(/done/i);
  expect(traffic.puts).toHaveLength(2);
  expect(await seriousViolations(page)).toEqual([]);

  await form.fillTitle("No duplicates");
  await form.createButton.click();
  await form.waitForStudyPage("No duplicates");
  await expect(page.getByRole("figure")).toHaveCount(2);
});

test("totals count only images that will be sent; rejected rows go with one press", async ({ page, form }) => {
  const good = pngImage("total-good.png", 40_000);
  await form.open();
  await form.pick([good, rawFile("total-spoofed.png", "image/png", Buffer.from("%PDF-1.7 no image"))]);
  await expect(form.row("total-spoofed.png")).toContainText(/not sent/i);
  await expect(form.row(good.name)).toContainText(/done/i);
  await expect(form.totalProgress).toHaveAttribute("aria-valuetext", "100%, 1 of 1 files done");
  await expect(statusBar(page)).toContainText("1 of 1 files done");
  await expect(pickNotice(page)).toContainText("1 image will not be sent");
  await pickNotice(page).getByRole("button", { name: "Remove all rejected" }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(pickNotice(page)).toHaveCount(0);
});

test("what goes wrong is shown beside the buttons, not only announced: failures, Create with failures, Cancel, offline", async ({
  page,
  form,
  context,
}) => {
  await form.open();
  await form.fillTitle("Visible errors");
  await failUploadsOf(page, 1);
  await form.pick([pngImage("shown-1.png", 20_000), pngImage("shown-2.png", 20_000)]);
  const bar = statusBar(page);
  await expect(bar).toContainText("1 image failed: Retry it or remove it.");
  // Retrying is what moves the study on now: it leads, and Create says why it made nothing.
  await expect(form.retryFailedButton).toHaveClass(/button-primary/);
  await expect(form.createButton).toHaveClass(/button-secondary/);
  await form.createButton.click();
  await expect(bar).toContainText("1 image failed. Nothing was committed; use Retry failed to send it again.");
  expect(await seriousViolations(page)).toEqual([]);

  await page.unroute("**/devstoreaccount1/**");
  await page.getByRole("button", { name: "Remove shown-2.png" }).click();
  await expect(form.retryFailedButton).toHaveCount(0);

  // Cancel while an upload is still going: the bar says the uploads go on.
  await throttle(page, { uploadBytesPerSecond: 100_000 });
  await form.pick([pngImage("shown-slow.png", 1_500_000)]);
  await form.createButton.click();
  await form.cancelButton.click();
  await expect(bar).toContainText("The study will not be created for now; uploads go on.");

  // The browser says it is offline: the uploads wait for the network (a probe tells when it is back).
  await context.setOffline(true);
  await expect(bar).toContainText("Waiting for the network");
  await context.setOffline(false);
  await expect(bar).not.toContainText("Waiting for the network");
});

test("with twelve images the status bar stays in view: total, Retry and Create without scrolling", async ({
  page,
  form,
}) => {
  await form.open();
  const images = Array.from({ length: 12 }, (_, i) => pngImage(`bar-${String(i + 1).padStart(2, "0")}.png`, 20_000));
  await form.pick(images);
  await form.fillTitle("Twelve images");
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i);
  const viewport = page.viewportSize()!;
  // At the top of the page, and with the middle of the list in view.
  for (const top of ["Title", "bar-06.png"]) {
    const at = top === "Title" ? form.title : form.row(top);
    await at.evaluate((element) => element.scrollIntoView({ block: "start" }));
    for (const part of [form.totalProgress, form.createButton]) {
      const box = (await part.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    }
  }
  // Compact rows: a dozen take well under two screens.
  const row = (await form.row("bar-01.png").boundingBox())!;
  expect(row.height).toBeLessThanOrEqual(96);
  expect(await seriousViolations(page)).toEqual([]);
});

test("after Remove, focus goes to the next row (or the previous, or Add images), and Undo puts the image back", async ({
  page,
  form,
}) => {
  const names = ["focus-a.png", "focus-b.png", "focus-c.png"];
  await form.open();
  await form.pick(names.map((name) => pngImage(name, 10_000)));
  for (const name of names) await expect(form.row(name)).toContainText(/done/i);

  await page.getByRole("button", { name: "Remove focus-b.png" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Remove focus-c.png" })).toBeFocused();
  await statusBar(page).getByRole("button", { name: "Undo" }).click();
  await expect(rows(page)).toHaveText([/focus-a/, /focus-b/, /focus-c/]);
  await expect(form.row("focus-b.png")).toContainText(/done/i);

  await page.getByRole("button", { name: "Remove focus-c.png" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Remove focus-b.png" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Remove focus-a.png" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(form.fileInput).toBeFocused();

  // Discard asks first, with focus on the safe answer; Keep goes back to where it began.
  await form.fillTitle("Keep me");
  await page.getByRole("button", { name: "Discard draft" }).click();
  await expect(page.getByRole("button", { name: "Keep" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Discard draft" })).toBeFocused();
  await expect(form.title).toHaveValue("Keep me");
});

test("a click anywhere on the drop zone opens the picker", async ({ page, form }) => {
  await form.open();
  const chooser = page.waitForEvent("filechooser");
  await page.getByText("or drop them here").click();
  await (await chooser).setFiles([pngImage("from-zone.png", 5_000).path]);
  await expect(form.row("from-zone.png")).toContainText(/done/i);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("row controls are 44 px targets, Remove set apart from the order buttons", async ({ page, form }) => {
    await form.open();
    await form.pick([pngImage("phone-1.png", 10_000), pngImage("phone-2.png", 10_000)]);
    await expect(form.row("phone-2.png")).toContainText(/done/i);
    const box = async (name: string) => (await page.getByRole("button", { name }).boundingBox())!;
    for (const name of ["Move phone-1.png down", "Move phone-2.png up", "Remove phone-1.png"]) {
      const target = await box(name);
      expect(target.width).toBeGreaterThanOrEqual(44);
      expect(target.height).toBeGreaterThanOrEqual(44);
    }
    const down = await box("Move phone-1.png down");
    const remove = await box("Remove phone-1.png");
    expect(remove.x - (down.x + down.width)).toBeGreaterThanOrEqual(16);
    await expect(form.createButton).toBeInViewport();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
