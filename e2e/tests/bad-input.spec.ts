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

  // More files than a study holds: those beyond the limit are refused at the pick, and said above the list.
  const many = Array.from({ length: config.maxFiles }, (_, i) => pngImage(`many-${i + 1}.png`, 200));
  await form.pick(many);
  const notice = page.getByRole("group", { name: "Files not added" });
  await expect(notice).toContainText(`1 image was not added: a study holds at most ${config.maxFiles} images`);
  await expect(notice).toContainText(`Not added: many-${config.maxFiles}.png`);
  await expect(page.getByRole("list", { name: "Images" }).getByRole("listitem")).toHaveCount(config.maxFiles);
  // Nothing waits for ever: every image listed arrives, and the total counts just those.
  await expect(form.totalProgress).toHaveAttribute(
    "aria-valuetext",
    `100%, ${config.maxFiles} of ${config.maxFiles} files done`,
  );

  // Removing one makes room: the refused file, picked again, is sent then.
  await page.getByRole("button", { name: `Remove many-1.png` }).click();
  await form.pick([many.at(-1)!]);
  await expect(form.createButton).toBeEnabled();
  await expect.poll(() => traffic.puts.length).toBe(config.maxFiles + 1);

  // Only valid images were ever announced or sent, never more at once than a batch may hold.
  const announced = [...traffic.batches, ...traffic.additions].flatMap((request) =>
    (request.postDataJSON() as { files: { name: string }[] }).files.map((f) => f.name),
  );
  expect(announced.filter((name) => refused.includes(name))).toEqual([]);
  expect(announced).toHaveLength(config.maxFiles + 1);
  expect(new Set(announced).size).toBe(announced.length);
  expect(traffic.puts).toHaveLength(config.maxFiles + 1);
  expect(traffic.commits).toHaveLength(0);
});

test("a file whose content is not the image its type says is never sent", async ({ page, form, traffic }) => {
  await form.open();
  await form.pick([
    rawFile("renamed.png", "image/png", Buffer.from("%PDF-1.7\nnot an image at all")),
    pngImage("real.png", 5_000),
  ]);
  await expect(form.row("renamed.png")).toContainText(/not sent: its content is not a PNG image/i);
  await expect(form.row("real.png")).toContainText(/done/i);
  await form.fillTitle("Spoofed content");
  await expect(form.createButton).toBeDisabled();
  // The batch request leaves at the pick, while heads are read; the spoofed file is then taken out, never sent.
  const announced = traffic.batches.flatMap((request) =>
    (request.postDataJSON() as { files: { name: string }[] }).files.map((f) => f.name),
  );
  expect(announced).toEqual(["renamed.png", "real.png"]);
  await expect
    .poll(() => traffic.removals.map((request) => new URL(request.url()).pathname.split("/").at(-1)))
    .toEqual(["0"]);
  expect(traffic.puts).toHaveLength(1);
  await page.getByRole("button", { name: "Remove renamed.png" }).click();
  await expect(form.createButton).toBeEnabled();
});
