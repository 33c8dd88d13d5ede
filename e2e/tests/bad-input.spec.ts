import { expect, test } from "../support/fixtures.js";
import { pngImage, rawFile } from "../support/test-images.js";

test("bad files are refused in the form, before anything is sent", async ({ page, form, traffic, api }) => {
  const config = await api.getConfig();
  const overLimit = Buffer.alloc(config.maxFileBytes + 1);
  pngImage("sig.png", 16).buffer.copy(overLimit);
  await form.open();
  await form.fillTitle("Bad input");
  await form.pick([
    pngImage("fine.png", 10_000),
    rawFile("notes.txt", "text/plain", Buffer.from("not an image")),
    rawFile("empty.png", "image/png", Buffer.alloc(0)),
    rawFile("huge.png", "image/png", overLimit),
  ]);

  await expect(form.row("notes.txt")).toContainText(/type|not an? (allowed|supported)/i);
  await expect(form.row("empty.png")).toContainText(/empty/i);
  await expect(form.row("huge.png")).toContainText(/larger|too (big|large)|limit/i);
  await expect(form.createButton).toBeDisabled();

  // Removing the bad rows makes the form valid again.
  const refused = ["notes.txt", "empty.png", "huge.png"];
  for (const name of refused) await page.getByRole("button", { name: `Remove ${name}` }).click();
  await expect(form.createButton).toBeEnabled();

  // One file too many.
  const many = Array.from({ length: config.maxFiles }, (_, i) => pngImage(`many-${i + 1}.png`, 200));
  await form.pick(many);
  await expect(page.getByText(/too many/i)).toBeVisible();
  await expect(form.createButton).toBeDisabled();
  await form.createButton.click({ force: true });

  // Removing one makes the set valid, and the form asks for its batch ahead of time. That answer is the settled
  // state: had the click started an upload, the form would have been locked, its rows not removable.
  const earlyBatch = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/batches",
  );
  await page.getByRole("button", { name: `Remove many-${config.maxFiles}.png` }).click();
  expect((await earlyBatch).ok()).toBe(true);
  await expect(form.createButton).toBeEnabled();

  expect(traffic.puts).toHaveLength(0);
  // The form may ask for a batch ahead of time, but only ever for a valid set of images.
  for (const batch of traffic.batches) {
    const names = (batch.postDataJSON() as { files: { name: string }[] }).files.map((f) => f.name);
    expect(names.length).toBeLessThanOrEqual(config.maxFiles);
    expect(names.filter((name) => refused.includes(name))).toEqual([]);
  }
});
