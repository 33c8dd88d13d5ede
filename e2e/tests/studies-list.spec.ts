import type { Page } from "@playwright/test";
import { listAllStudies } from "@study-uploader/shared";
import { commitStudyThroughApi } from "../support/api-studies.js";
import { seriousViolations } from "../support/axe.js";
import { expect, test } from "../support/fixtures.js";
import { jpegImage } from "../support/test-images.js";

/**
 * The app asks for the API's default page (50). Every list request the page makes is narrowed to a few studies
 * instead, so the real API pages the real list without 51+ commits, which its batch rate limit (60 a minute per
 * caller, shared with the other specs) would hold up.
 */
const PAGE_SIZE = 4;

/** Narrows each studies page the browser asks for, holding the second until `holdSecondPage`; returns the cursors. */
async function narrowStudyPages(page: Page, options: { holdSecondPage: Promise<void> }) {
  const cursors: string[] = [];
  await page.route(
    (url) => url.pathname === "/api/studies",
    async (route) => {
      if (route.request().method() !== "GET") return route.fallback();
      const url = new URL(route.request().url());
      url.searchParams.set("limit", String(PAGE_SIZE));
      const cursor = url.searchParams.get("cursor");
      if (cursor !== null) {
        cursors.push(cursor);
        if (cursors.length === 1) await options.holdSecondPage;
      }
      await route.continue({ url: url.toString() });
    },
  );
  return cursors;
}

test("the studies list shows a page at a time, newest first, until the last", async ({ page, api, studiesList }) => {
  const image = jpegImage("paging.jpg", 16, 16);
  // Titles of this run only, in case a reused server still holds an earlier run's studies.
  const run = Date.now().toString(36);
  const titles = Array.from({ length: 2 * PAGE_SIZE + 1 }, (_, i) => `Paging ${run} #${i + 1}`);
  // One after another, so each is newer than the one before.
  for (const title of titles) await commitStudyThroughApi(api, title, [image]);
  const listed = await listAllStudies(api);
  const newestFirst = listed.map((study) => study.title);
  expect(newestFirst.slice(0, titles.length)).toEqual(titles.toReversed());

  let releaseSecondPage!: () => void;
  const cursors = await narrowStudyPages(page, {
    holdSecondPage: new Promise((resolve) => (releaseSecondPage = resolve)),
  });
  await studiesList.open();
  await expect(studiesList.studyLinks).toHaveText(newestFirst.slice(0, PAGE_SIZE));

  await expect(studiesList.loadMoreButton, "the API offers a next page").toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // Busy while the page is on its way; pressing again meanwhile asks for nothing more.
  await studiesList.loadMoreButton.click();
  await expect(studiesList.loadingMore).toBeVisible();
  await expect(studiesList.loadMoreButton).toHaveAttribute("aria-disabled", "true");
  await expect(studiesList.loadMoreButton).toBeFocused();
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("Enter");
  releaseSecondPage();
  await expect(studiesList.studyLinks).toHaveText(newestFirst.slice(0, 2 * PAGE_SIZE));
  await expect(studiesList.loadingMore).toBeHidden();
  expect(cursors).toHaveLength(1);

  let shown = 2 * PAGE_SIZE;
  while (shown < newestFirst.length) {
    const lastShown = shown;
    await studiesList.loadMoreButton.click();
    shown = Math.min(shown + PAGE_SIZE, newestFirst.length);
    await expect(studiesList.studyLinks).toHaveText(newestFirst.slice(0, shown));
    if (shown === newestFirst.length) {
      // The last page takes the button away; focus goes to the first study it brought.
      await expect(studiesList.loadMoreButton).toBeHidden();
      await expect(studiesList.studyLinks.nth(lastShown)).toBeFocused();
    }
  }
  const hrefs = await studiesList.studyLinks.evaluateAll((links) => links.map((link) => link.getAttribute("href")));
  expect(new Set(hrefs).size).toBe(hrefs.length);
  expect(hrefs).toEqual(listed.map((study) => `/studies/${study.id}`));
});

test("a list page that does not come says why, and Try again loads it", async ({ page, api, studiesList }) => {
  await commitStudyThroughApi(api, "Listed after a retry", [jpegImage("retry.jpg", 16, 16)]);
  let failed = false;
  await page.route(
    (url) => url.pathname === "/api/studies",
    (route) => {
      if (failed || route.request().method() !== "GET") return route.fallback();
      failed = true;
      return route.abort("connectionrefused");
    },
  );
  await studiesList.open();
  await expect(page.getByRole("alert")).toHaveText(/^Could not load the studies: Could not reach the server/);
  await page.getByRole("button", { name: "Try again", exact: true }).click();
  await expect(studiesList.studyLinks.first()).toHaveText("Listed after a retry");
  await expect(page.getByRole("alert")).toBeHidden();
});

test("each listed study shows its image count and its first image as a thumbnail", async ({
  page,
  api,
  studiesList,
}) => {
  const title = `Thumbnail ${Date.now().toString(36)}`;
  await commitStudyThroughApi(api, title, [
    jpegImage("thumb-first.jpg", 96, 72),
    jpegImage("thumb-second.jpg", 40, 40),
  ]);

  for (const open of [() => studiesList.open(), () => page.goto("/")]) {
    await open();
    const item = page
      .getByRole("main")
      .getByRole("listitem")
      .filter({ has: page.getByRole("link", { name: title }) });
    await expect(item).toContainText("2 images");
    // Decorative (alt=""), so it has no name: the title beside it names the study.
    const thumbnail = item.getByRole("presentation");
    await expect(thumbnail).toHaveAttribute("alt", "");
    await expect(thumbnail).toHaveAttribute("loading", "lazy");
    // The first image, loaded: 96 px wide, shown in the fixed square box.
    await expect(thumbnail).toHaveJSProperty("naturalWidth", 96);
    expect(await thumbnail.boundingBox()).toMatchObject({ width: 56, height: 56 });
  }
});
