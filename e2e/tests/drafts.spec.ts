import type { ApiClient } from "@study-uploader/shared";
import type { testStorage } from "../support/azurite-storage.js";
import { seriousViolations } from "../support/axe.js";
import { expect, StudyFormPage, test, throttle } from "../support/fixtures.js";
import { keepFileHandles, keptDraft, keptDrafts } from "../support/saved-draft.js";
import { pngImage, type TestImage } from "../support/test-images.js";

const draftNotice = (form: StudyFormPage) => form.page.getByRole("region", { name: "Saved draft" });

/** Opens the form, types a title, picks the images and waits until every one has arrived. */
async function uploadedDraft(form: StudyFormPage, title: string, images: TestImage[]) {
  await form.open();
  await form.fillTitle(title);
  await form.pick(images);
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i);
}

/**
 * Picks one small and two large images on a slow link, waits until the small one has arrived and every one is
 * hashed, then reloads while the large ones are still on their way (still throttled: the reload cuts them short,
 * and storage keeps nothing of a cut Put Blob). Returns the batch's id once the reloaded form says what is missing.
 */
async function reloadMidUpload(form: StudyFormPage, title: string, small: TestImage, large: TestImage[]) {
  await form.open();
  await form.fillTitle(title);
  const cdp = await throttle(form.page, { uploadBytesPerSecond: 200_000 });
  await form.pick([small, ...large]);
  await expect(form.row(large[0]!.name)).toContainText(/uploading/i);
  await keptAsUploaded(form, [small]);
  await expect
    .poll(async () => (await keptDraft(form.page))?.images.map((i) => i.md5 !== null))
    .toEqual([true, true, true]);
  const batchId = (await keptDraft(form.page))!.batchId;
  await form.page.reload();
  await expect(draftNotice(form)).toContainText("1 image already uploaded; add 2 images again");
  await cdp.detach();
  return batchId;
}

/** Creates the study and checks that storage holds exactly these images, in this order. */
async function createAndCheck(
  { form, api, storage }: { form: StudyFormPage; api: ApiClient; storage: ReturnType<typeof testStorage> },
  title: string,
  images: TestImage[],
) {
  await form.createButton.click();
  const study = await api.getStudy(await form.waitForStudyPage(title));
  expect(await storage.storedImages(study)).toEqual(images.map(({ name, md5 }) => ({ name, md5 })));
}

/** Until the kept draft says every one of these images arrived (saves are coalesced, a moment after a change). */
async function keptAsUploaded(form: StudyFormPage, images: TestImage[]) {
  await expect
    .poll(async () => (await keptDraft(form.page))?.images.filter((i) => i.uploaded).map((i) => i.name))
    .toEqual(images.map((i) => i.name));
}

test("reload after every image is up: the draft is back, nothing is sent again, the study has the same bytes", async ({
  page,
  form,
  traffic,
  api,
  storage,
}) => {
  const images = [pngImage("kept-1.png", 40_000), pngImage("kept-2.png", 60_000), pngImage("kept-3.png", 20_000)];
  await form.open();
  await form.fillTitle("Survives a reload");
  await form.description.fill("Typed before the reload.");
  await form.pick(images);
  await form.label("kept-2.png").fill("Second, relabelled");
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i);
  await keptAsUploaded(form, images);
  await expect.poll(async () => (await keptDraft(page))?.thumbnails).toBe(3);
  await expect.poll(async () => (await keptDraft(page))?.images[1]?.label).toBe("Second, relabelled");
  const putsBefore = traffic.puts.length;

  await page.reload();
  await expect(draftNotice(form)).toContainText("Your unfinished study is back: 3 images already uploaded");
  await expect(form.title).toHaveValue("Survives a reload");
  await expect(form.description).toHaveValue("Typed before the reload.");
  await expect(form.label("kept-2.png")).toHaveValue("Second, relabelled");
  for (const image of images) await expect(form.row(image.name)).toContainText(/done/i);
  // The kept thumbnail stands in for the file.
  const thumbnail = form.row("kept-1.png").locator("img.thumb");
  await expect(thumbnail).toHaveJSProperty("complete", true);
  // The thumbnail the study uploads too: 256 px on its longer side.
  expect(await thumbnail.evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBe(256);
  expect(await seriousViolations(page)).toEqual([]);

  await expect(form.createButton).toHaveText("Create study");
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Survives a reload");
  expect(traffic.puts.length).toBe(putsBefore);
  const study = await api.getStudy(studyId);
  expect(study.elements.map((e) => e.label)).toEqual(["kept-1", "Second, relabelled", "kept-3"]);
  expect(await storage.storedImages(study)).toEqual(images.map(({ name, md5 }) => ({ name, md5 })));
  // A committed draft is not kept.
  await expect.poll(() => keptDraft(page)).toBeNull();
});

test("reload mid-upload: adding the same files again sends only the unfinished ones, into the same batch", async ({
  page,
  form,
  traffic,
  api,
  storage,
}) => {
  const small = pngImage("mid-small.png", 20_000);
  const large = [pngImage("mid-large-1.png", 2_000_000), pngImage("mid-large-2.png", 2_000_000)];
  const batchId = await reloadMidUpload(form, "Interrupted upload", small, large);
  await expect(form.row(small.name)).toContainText(/done/i);
  for (const image of large) await expect(form.row(image.name)).toContainText("add this file again");
  await expect(form.createButton).toBeDisabled();
  const putsBefore = traffic.puts.length;

  // Picking the whole set again, as people do: the image already up is pointed out, never added twice.
  await form.pick([small, ...large]);
  await expect(form.row(small.name)).toContainText("already added");
  await expect(page.getByRole("group", { name: "Files not added" })).toContainText(
    `${small.name} is already in the list: not added again.`,
  );
  for (const image of large) await expect(form.row(image.name)).toContainText(/done/i);
  await expect(page.getByRole("list", { name: "Images" }).getByRole("listitem")).toHaveCount(3);
  const resent = traffic.puts.slice(putsBefore).map((put) => new URL(put.url()).pathname);
  expect(resent.sort()).toEqual([expect.stringMatching(`/${batchId}/1$`), expect.stringMatching(`/${batchId}/2$`)]);
  expect(traffic.batches).toHaveLength(1);
  expect(traffic.additions).toHaveLength(0);
  await expect(page.getByRole("listitem").filter({ hasText: "mid-large-1.png" })).toHaveCount(1);

  await createAndCheck({ form, api, storage }, "Interrupted upload", [small, ...large]);
});

test("images whose file handles the browser kept resume without picking them again", async ({
  page,
  form,
  traffic,
  api,
  storage,
}) => {
  const small = pngImage("handle-small.png", 20_000);
  const large = [pngImage("handle-large-1.png", 1_500_000), pngImage("handle-large-2.png", 1_500_000)];
  await reloadMidUpload(form, "Resumed from handles", small, large);
  await keepFileHandles(
    page,
    large.map((image) => ({ name: image.name, base64: image.buffer.toString("base64") })),
  );

  await page.reload();
  const putsBefore = traffic.puts.length;
  await page.getByRole("button", { name: "Resume 2 images without picking again" }).click();
  for (const image of large) await expect(form.row(image.name)).toContainText(/done/i);
  const resent = traffic.puts.slice(putsBefore).map((put) => new URL(put.url()).pathname.split("/").pop());
  expect(resent.sort()).toEqual(["1", "2"]);
  await createAndCheck({ form, api, storage }, "Resumed from handles", [small, ...large]);
});

test("a tab that only browses, or shows an empty form, locks no other tab: a study is made in the second one", async ({
  page,
  studiesList,
  context,
  api,
}) => {
  await studiesList.open();
  const second = new StudyFormPage(await context.newPage());
  await second.open();
  await expect(second.title).toBeEditable();
  await expect(second.fileInput).toBeEnabled();
  await expect(draftNotice(second)).toHaveCount(0);

  // The first tab now shows the form too, empty: each tab edits a draft of its own.
  await page.goto("/");
  await expect(page.getByRole("textbox", { name: "Title" })).toBeEditable();
  await second.page.reload();
  await expect(second.title).toBeEditable();
  await expect(draftNotice(second)).toHaveCount(0);
  await expect(draftNotice(new StudyFormPage(page))).toHaveCount(0);

  const image = pngImage("second-tab.png", 20_000);
  await second.fillTitle("Made in the second tab");
  await second.pick([image]);
  await expect(second.row(image.name)).toContainText(/done/i);
  await second.createButton.click();
  const study = await api.getStudy(await second.waitForStudyPage("Made in the second tab"));
  expect(study.elements.map((e) => e.name)).toEqual([image.name]);
});

test("Continue here takes over the draft another tab edits; that tab lets go and what it does next stays its own", async ({
  page,
  form,
  context,
  api,
  storage,
}) => {
  const images = [pngImage("tab-1.png", 20_000), pngImage("tab-2.png", 20_000)];
  await uploadedDraft(form, "First tab's draft", images);
  await form.label("tab-2.png").fill("Labelled in the first tab");
  await keptAsUploaded(form, images);
  await expect.poll(async () => (await keptDraft(page))?.images[1]?.label).toBe("Labelled in the first tab");

  const second = new StudyFormPage(await context.newPage());
  await second.open();
  await expect(second.title).toBeEditable();
  await expect(second.title).toHaveValue("");
  const offer = draftNotice(second);
  await expect(offer).toContainText("Your draft “First tab's draft” (2 images) is open in another tab.");
  expect(await seriousViolations(second.page)).toEqual([]);

  await offer.getByRole("button", { name: "Continue here" }).click();
  await expect(second.title).toHaveValue("First tab's draft");
  await expect(second.label("tab-2.png")).toHaveValue("Labelled in the first tab");
  for (const image of images) await expect(second.row(image.name)).toContainText(/done/i);

  await expect(draftNotice(form)).toContainText("“First tab's draft” continues in another tab.");
  await expect(draftNotice(form).getByRole("button", { name: "Continue here" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await expect(form.title).toHaveValue("");
  await expect(page.getByText("No images yet.")).toBeVisible();
  // What the first tab does now goes to a draft of its own, never into the one the second tab took.
  await form.fillTitle("Typed in the first tab afterwards");
  await expect
    .poll(async () => (await keptDrafts(page)).map(({ key, title }) => ({ own: key === "anonymous", title })))
    .toEqual(expect.arrayContaining([{ own: false, title: "Typed in the first tab afterwards" }]));
  expect(await keptDraft(page)).toMatchObject({
    title: "First tab's draft",
    images: [
      { name: "tab-1.png", uploaded: true },
      { name: "tab-2.png", label: "Labelled in the first tab" },
    ],
  });

  await second.createButton.click();
  const study = await api.getStudy(await second.waitForStudyPage("First tab's draft"));
  expect(study.elements.map((e) => e.label)).toEqual(["tab-1", "Labelled in the first tab"]);
  expect(await storage.storedImages(study)).toEqual(images.map(({ name, md5 }) => ({ name, md5 })));
});

test("once the tab that held a draft created its study, no other tab offers it", async ({ page, form, context }) => {
  const image = pngImage("offered.png", 20_000);
  await uploadedDraft(form, "Offered, then created", [image]);
  await keptAsUploaded(form, [image]);
  const second = new StudyFormPage(await context.newPage());
  await second.open();
  await expect(draftNotice(second)).toContainText("“Offered, then created” (1 image) is open in another tab");

  await form.createButton.click();
  await form.waitForStudyPage("Offered, then created");
  await expect(draftNotice(second)).toHaveCount(0);
  await second.page.reload();
  await expect(second.title).toBeEditable();
  await expect(draftNotice(second)).toHaveCount(0);
  const third = new StudyFormPage(await context.newPage());
  await third.open();
  await expect(third.title).toBeEditable();
  await expect(draftNotice(third)).toHaveCount(0);
  expect(await keptDrafts(page)).toEqual([]);
});

test("images reorder with the keyboard (and by dragging); the study keeps the order shown", async ({
  page,
  form,
  api,
}) => {
  const images = ["order-a.png", "order-b.png", "order-c.png", "order-d.png"].map((name) => pngImage(name, 10_000));
  await uploadedDraft(form, "Reordered", images);

  const moveUp = page.getByRole("button", { name: "Move order-c.png up" });
  await moveUp.focus();
  await page.keyboard.press("Enter");
  await expect(moveUp).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "order-c.png moved to position 1 of 4" })).toBeAttached();
  // At the top, Move up is disabled; focus went to its neighbour instead of being lost.
  await expect(moveUp).toBeDisabled();
  await expect(page.getByRole("button", { name: "Move order-c.png down" })).toBeFocused();

  // Drag order-a.png (now second) below order-d.png.
  const target = (await form.row("order-d.png").boundingBox())!;
  await form.row("order-a.png").dragTo(form.row("order-d.png"), { targetPosition: { x: 20, y: target.height - 4 } });
  const names = page.getByRole("list", { name: "Images" }).getByRole("listitem").locator(".file-name");
  await expect(names).toHaveText(["order-c.png", "order-b.png", "order-d.png", "order-a.png"]);

  await form.createButton.click();
  const study = await api.getStudy(await form.waitForStudyPage("Reordered"));
  expect(study.elements.map((e) => e.name)).toEqual(["order-c.png", "order-b.png", "order-d.png", "order-a.png"]);
  expect(study.elements.map((e) => e.index)).toEqual([0, 1, 2, 3]);
});

test("Discard draft drops the staged uploads and nothing comes back after a reload", async ({
  page,
  form,
  traffic,
  storage,
}) => {
  const images = [pngImage("discard-1.png", 20_000), pngImage("discard-2.png", 20_000)];
  await uploadedDraft(form, "Thrown away", images);
  const uploadUrls = traffic.puts.map((put) => put.url());
  for (const url of uploadUrls) expect(await storage.exists(url)).toBe(true);

  await page.getByRole("button", { name: "Discard draft" }).click();
  const confirm = page.getByRole("group", { name: "Discard the draft?" });
  // The safe answer has focus: Enter pressed once too often discards nothing.
  await expect(confirm.getByRole("button", { name: "Keep" })).toBeFocused();
  expect(await seriousViolations(page)).toEqual([]);
  const discarded = page.waitForResponse(
    (r) => r.request().method() === "DELETE" && /\/api\/batches\/[^/]+$/.test(r.url()),
  );
  await confirm.getByRole("button", { name: "Discard" }).click();
  expect((await discarded).status()).toBe(204);
  await expect(form.title).toHaveValue("");
  await expect(page.getByText("No images yet.")).toBeVisible();
  for (const url of uploadUrls) expect(await storage.exists(url)).toBe(false);
  await expect.poll(() => keptDraft(page)).toBeNull();

  await page.reload();
  await expect(form.title).toHaveValue("");
  await expect(draftNotice(form)).toHaveCount(0);
});

test("a draft past its staging deadline is cleared with a message that says why", async ({ page, form }) => {
  const old = pngImage("old.png", 10_000);
  await uploadedDraft(form, "Too old", [old]);
  await keptAsUploaded(form, [old]);
  // The thumbnail is saved once the page is idle, maybe after the upload: changed before it, the deadline was written over.
  await expect.poll(async () => (await keptDraft(page))?.thumbnails).toBe(1);
  // As if a day had passed: the draft's deadline is behind us.
  await keptDraft(page, { expiresAt: Date.now() - 1_000 });

  await page.reload();
  await expect(draftNotice(form)).toContainText("“Too old”");
  await expect(draftNotice(form)).toContainText("was cleared: uploads are kept for 24 hours");
  await expect(form.title).toHaveValue("");
  await expect(page.getByText("No images yet.")).toBeVisible();
  await expect.poll(() => keptDraft(page)).toBeNull();
});

test("what is typed at once after a load is kept, character for character, and the saved draft still comes back", async ({
  page,
  form,
}) => {
  const image = pngImage("typed-at-once.png", 20_000);
  await uploadedDraft(form, "Saved before the reload", [image]);
  await keptAsUploaded(form, [image]);
  // The reloaded page asks the API what storage holds of the draft's batch: held, so the draft is still being read.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  await page.route(/\/api\/batches\/[^/]+$/, async (route) => {
    await answered;
    await route.continue();
  });

  await page.reload();
  await form.description.pressSequentially("Typed while the draft was read");
  answer();
  await expect(draftNotice(form)).toContainText("1 image already uploaded");
  await expect(form.description).toHaveValue("Typed while the draft was read");
  await expect(form.title).toHaveValue("Saved before the reload");
  await expect(form.row(image.name)).toContainText(/done/i);
  await expect.poll(async () => (await keptDraft(page))?.title).toBe("Saved before the reload");
});
