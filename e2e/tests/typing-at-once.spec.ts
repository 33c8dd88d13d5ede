import { expect, test } from "../support/fixtures.js";
import { keptDraft } from "../support/saved-draft.js";
import { pngImage } from "../support/test-images.js";

const TRIES = 10;

test("typed at once after every load, ten times over, every character is kept, with a draft or without", async ({
  page,
  form,
}) => {
  for (let i = 0; i < TRIES; i++) {
    const typed = `abcdefghij ${i}`;
    // Reloading replaces the page that held the draft (its Web Lock and a draft kept from the try before).
    if (i === 0) await page.goto("/");
    else await page.reload();
    await form.title.pressSequentially(typed);
    // The kept title may come back before the first key (the keys join it, before or after it, where the caret
    // was) or after it (what was typed wins): never a lost key.
    await expect(form.title).toHaveValue(new RegExp(typed));
  }
});

test("typed at once after picking images, ten times over, every character reaches the study", async ({
  browser,
  baseURL,
}) => {
  const images = Array.from({ length: 4 }, (_, i) => pngImage(`at-once-${i}.png`, 30_000));
  for (let i = 0; i < TRIES; i++) {
    // A fresh browser each time, as a researcher opening the app: nothing kept, nothing held.
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await page.goto("/");
    await page.getByLabel("Add images").setInputFiles(images.map((image) => image.path));
    const title = page.getByRole("textbox", { name: "Title" });
    const typed = `perf eager ${i} typed at once`;
    await title.pressSequentially(typed);
    await expect(title).toHaveValue(typed);
    if (i === TRIES - 1) {
      await page.getByRole("button", { name: /^Create study/ }).click();
      await expect(page.getByRole("heading", { name: typed })).toBeVisible({ timeout: 30_000 });
    }
    await context.close();
  }
});

test("typed just before a reload, five times over, the kept draft has every key", async ({ page, form }) => {
  await form.open();
  await form.fillTitle("kept before");
  await expect.poll(async () => (await keptDraft(page))?.title).toBe("kept before");
  let kept = "kept before";
  for (let i = 0; i < 5; i++) {
    await page.reload();
    // The kept title is back (the draft is open), then typed over and the page reloaded at once.
    await expect(form.title).toHaveValue(kept);
    await form.title.selectText();
    kept = `typed right before reload ${i}`;
    await page.keyboard.type(kept);
    await page.reload();
    await expect(form.title).toHaveValue(kept);
  }
});
