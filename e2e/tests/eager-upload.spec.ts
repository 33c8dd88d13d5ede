import { expect, test, throttle } from "../support/fixtures.js";
import { pngImage } from "../support/test-images.js";

test("uploads start before the title is typed; title and labels can be edited mid-upload", async ({
  page,
  form,
  traffic,
  api,
}) => {
  const images = [pngImage("early-1.png", 1_000_000), pngImage("early-2.png", 1_000_000)];
  await form.open();
  await throttle(page, { uploadBytesPerSecond: 400_000 });
  await form.pick(images);

  // Bytes leave while the title is still empty.
  await expect.poll(() => traffic.puts.length).toBeGreaterThan(0);
  await expect(form.title).toHaveValue("");
  await expect(form.row("early-1.png")).toContainText(/uploading/i);

  await form.fillTitle("Typed while uploading");
  await form.label("early-1.png").fill("Relabelled mid-upload");
  await expect(form.label("early-1.png")).toHaveValue("Relabelled mid-upload");
  await expect(form.row("early-1.png")).not.toContainText(/done/i);

  // Pressed before the uploads are over: the button says the study follows them.
  await expect(form.createButton).toHaveText("Create study when uploads finish");
  await form.createButton.click();
  await expect(page.getByRole("button", { name: /^Creating the study after \d+ more uploads?/ })).toBeDisabled();
  expect(traffic.commits).toHaveLength(0);
  const studyId = await form.waitForStudyPage("Typed while uploading");

  expect(traffic.commits).toHaveLength(1);
  const study = await api.getStudy(studyId);
  expect(study.elements.map((e) => e.label)).toEqual(["Relabelled mid-upload", "early-2"]);
});

test("removing an image mid-upload aborts its upload and deletes its staged blob", async ({
  page,
  form,
  traffic,
  api,
  storage,
}) => {
  const kept = pngImage("kept.png", 50_000);
  const removed = pngImage("removed-mid-upload.png", 3_000_000);
  await form.open();
  await throttle(page, { uploadBytesPerSecond: 300_000 });
  await form.pick([kept, removed]);
  await expect(form.row(kept.name)).toContainText(/done/i);
  await expect(form.row(removed.name)).toContainText(/uploading/i);
  const removedPut = traffic.puts.find((put) => put.url().includes("/1?"))!;
  expect(removedPut).toBeDefined();
  // A blob that may exist partially: what matters is that none is left once the removal is answered.
  const removal = page.waitForResponse((r) => r.request().method() === "DELETE");
  await page.getByRole("button", { name: `Remove ${removed.name}` }).click();

  expect((await removal).status()).toBe(204);
  await expect.poll(() => removedPut.failure()?.errorText ?? null).not.toBeNull();
  expect(traffic.removals.map((r) => new URL(r.url()).pathname)).toEqual([
    expect.stringMatching(/^\/api\/batches\/[^/]+\/files\/1$/),
  ]);
  expect(await storage.exists(removedPut.url())).toBe(false);
  await expect(form.row(removed.name)).toHaveCount(0);

  await form.fillTitle("One image left");
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("One image left");
  const study = await api.getStudy(studyId);
  expect(study.elements.map((e) => e.name)).toEqual([kept.name]);
  // Nothing reappeared after the study was made: the aborted upload stays gone.
  expect(await storage.exists(removedPut.url())).toBe(false);
});

test("images added after the first ones arrived extend the same upload and the same study", async ({
  form,
  traffic,
  api,
  storage,
}) => {
  const first = [pngImage("first-1.png", 40_000), pngImage("first-2.png", 60_000)];
  const later = [pngImage("later-1.png", 50_000), pngImage("later-2.png", 70_000)];
  await form.open();
  await form.pick(first);
  for (const image of first) await expect(form.row(image.name)).toContainText(/done/i);
  await form.pick(later);
  for (const image of later) await expect(form.row(image.name)).toContainText(/done/i);

  expect(traffic.batches).toHaveLength(1);
  expect(traffic.additions).toHaveLength(1);
  expect(traffic.puts).toHaveLength(4);
  expect(new Set(traffic.puts.map((put) => new URL(put.url()).pathname.split("/").at(-2))).size).toBe(1);

  await form.fillTitle("Grown study");
  await form.createButton.click();
  const study = await api.getStudy(await form.waitForStudyPage("Grown study"));
  const images = [...first, ...later];
  expect(await storage.storedImages(study)).toEqual(images.map(({ name, md5 }) => ({ name, md5 })));
});

test("with every image up, Create study → the study page costs exactly one API request", async ({
  page,
  form,
  traffic,
}) => {
  const images = [pngImage("ready-1.png", 30_000), pngImage("ready-2.png", 30_000), pngImage("ready-3.png", 30_000)];
  await form.open();
  await form.fillTitle("One round trip");
  await form.pick(images);
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i);
  await expect(form.createButton).toHaveText("Create study");

  const before = traffic.apiCalls.length;
  await form.createButton.click();
  await form.waitForStudyPage("One round trip");
  await expect(page.getByRole("img", { name: "ready-3" })).toBeVisible();
  expect(traffic.apiCalls.slice(before)).toEqual(["POST /api/studies"]);
});
