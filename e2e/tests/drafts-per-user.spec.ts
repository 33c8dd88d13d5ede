import type { Page } from "@playwright/test";
import { createApiClient } from "@study-uploader/shared";
import { accessTokenFor, draftKeyOf, signInAs, switchUserWithoutReload } from "../support/access-tokens.js";
import { commitStudyThroughApi } from "../support/api-studies.js";
import { expect, test, type StudyFormPage } from "../support/fixtures.js";
import { e2ePorts } from "../support/ports.js";
import { keptDrafts } from "../support/saved-draft.js";
import { jpegImage, pngImage } from "../support/test-images.js";

// The API instance that requires a signed-in user: two users share one browser profile (one IndexedDB).
test.use({ baseURL: `http://127.0.0.1:${e2ePorts().authApi}` });

const alice = "alice@example.test";
const bob = "bob@example.test";
const draftNotice = (page: Page) => page.getByRole("region", { name: "Saved draft" });

/** Each kept draft as the test compares them: whose key, its title, how many images arrived and kept a thumbnail. */
async function kept(page: Page) {
  return (await keptDrafts(page)).map(({ key, title, images, thumbnails }) => ({
    key,
    title,
    uploaded: images.filter((image) => image.uploaded).length,
    thumbnails,
  }));
}

/** Alice signs in, types a title and picks one image, which arrives; her draft is kept with its thumbnail. */
async function alicesDraft(form: StudyFormPage) {
  const image = pngImage("alice-1.png", 20_000);
  await signInAs(form.page, alice);
  await form.open();
  await form.fillTitle("Alice's study");
  await form.pick([image]);
  await expect(form.row(image.name)).toContainText(/done/i);
  await expect
    .poll(async () =>
      (await kept(form.page)).map(({ title, uploaded, thumbnails }) => ({ title, uploaded, thumbnails })),
    )
    .toEqual([{ title: "Alice's study", uploaded: 1, thumbnails: 1 }]);
  return image;
}

test("each user keeps their own draft: B never sees or clears A's, A finds it again, and it goes when A signs out", async ({
  page,
  form,
}) => {
  const alicesImage = await alicesDraft(form);

  await signInAs(page, bob);
  await page.reload();
  await form.fillTitle("Bob's study");
  await form.pick([pngImage("bob-1.png", 20_000)]);
  await expect(form.row("bob-1.png")).toContainText(/done/i);
  // Bob's image arrived, so his draft was opened long ago: none of Alice's came with it.
  await expect(form.title).toHaveValue("Bob's study");
  await expect(form.row(alicesImage.name)).toHaveCount(0);
  await expect(draftNotice(page)).toHaveCount(0);
  await page.getByRole("button", { name: "Discard draft" }).click();
  await page.getByRole("group", { name: "Discard the draft?" }).getByRole("button", { name: "Discard" }).click();
  await expect(form.title).toHaveValue("");
  await expect
    .poll(() => kept(page))
    .toEqual([{ key: draftKeyOf(alice), title: "Alice's study", uploaded: 1, thumbnails: 1 }]);

  await signInAs(page, alice);
  await page.reload();
  await expect(draftNotice(page)).toContainText("Your unfinished study is back: 1 image already uploaded");
  await expect(form.title).toHaveValue("Alice's study");
  await expect(form.row(alicesImage.name)).toContainText(/done/i);
  await expect(form.row(alicesImage.name).locator("img.thumb")).toHaveJSProperty("complete", true);

  await page.evaluate(() => window.studyUploader!.signOut());
  await expect(form.title).toHaveValue("");
  await expect(form.row(alicesImage.name)).toHaveCount(0);
  await expect.poll(() => kept(page)).toEqual([]);
  await page.reload();
  await form.pick([pngImage("alice-2.png", 20_000)]);
  await expect(form.row("alice-2.png")).toContainText(/done/i);
  await expect(form.row(alicesImage.name)).toHaveCount(0);
  await expect(draftNotice(page)).toHaveCount(0);
});

test("when the token starts naming another user, the running page stops showing the draft and never writes it", async ({
  page,
  form,
}) => {
  const alicesImage = await alicesDraft(form);

  // The host switches to Bob without a reload and without signing Alice out; Bob types into what is shown.
  await switchUserWithoutReload(page, bob);
  await form.title.fill("Bob typed this");
  await expect(form.title).toHaveValue("");
  await expect(form.row(alicesImage.name)).toHaveCount(0);
  expect((await kept(page)).find((draft) => draft.key === draftKeyOf(alice))?.title).toBe("Alice's study");
  await form.fillTitle("Bob's study");
  await expect
    .poll(async () => Object.fromEntries((await kept(page)).map(({ key, title }) => [key, title])))
    .toEqual({ [draftKeyOf(alice)]: "Alice's study", [draftKeyOf(bob)]: "Bob's study" });

  // Back to Alice: the page notices when the window is focused again, as after an account switch elsewhere.
  await switchUserWithoutReload(page, alice);
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(form.title).toHaveValue("Alice's study");
  await expect(form.row(alicesImage.name)).toContainText(/done/i);
});

test("another user's token, or a sign-out, takes the last user's studies off the page", async ({ page, baseURL }) => {
  const title = `Alice's listed study ${Date.now().toString(36)}`;
  const asAlice = createApiClient(baseURL, undefined, async () => accessTokenFor(alice));
  await commitStudyThroughApi(asAlice, title, [jpegImage("listed.jpg", 32, 32)]);
  await signInAs(page, alice);
  await page.goto("/studies");
  const main = page.getByRole("main");
  await expect(main.getByRole("link", { name: title })).toBeVisible();

  await switchUserWithoutReload(page, bob);
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(main.getByRole("link", { name: title })).toHaveCount(0);
  await expect(main.getByText("Loading studies…")).toHaveCount(0);

  await switchUserWithoutReload(page, alice);
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(main.getByRole("link", { name: title })).toBeVisible();
  await page.evaluate(() => window.studyUploader!.signOut());
  await expect(main.getByText("You are signed out")).toBeVisible();
  await expect(main.getByRole("link", { name: title })).toHaveCount(0);
});
