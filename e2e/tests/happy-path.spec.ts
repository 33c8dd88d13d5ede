import { listAllStudies } from "@study-uploader/shared";
import { expect, test } from "../support/fixtures.js";
import { jpegImage, mixedBatch, pngImage } from "../support/test-images.js";

test("16 images through picker and drop zone become one verified study", async ({
  page,
  form,
  traffic,
  api,
  storage,
}, testInfo) => {
  const picked = mixedBatch(12);
  const dropped = [
    pngImage("dropped-a.png", 20_000),
    pngImage("dropped-b.png", 90_000),
    jpegImage("dropped-c.jpg"),
    pngImage("dropped-d.png", 300_000),
  ];
  const images = [...picked, ...dropped];
  const studiesBefore = (await listAllStudies(api)).length;

  await form.open();
  await form.fillTitle("Fundus photographs, cohort A");
  await form.description.fill("Sixteen images from the first visit.");
  // Several rounds: the picker twice, then a drop.
  await form.pick(picked.slice(0, 6));
  await form.pick(picked.slice(6));
  await form.drop(dropped);
  await expect(page.getByRole("progressbar", { name: /^Upload progress for / })).toHaveCount(16);

  await expect(form.label("scan-01.png")).toHaveValue("scan-01");
  await form.label("scan-01.png").fill("Left eye, baseline");
  await form.label("dropped-c.jpg").fill("Right eye, follow-up");

  await expect(form.createButton).toBeEnabled();
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Fundus photographs, cohort A");

  expect(traffic.puts).toHaveLength(16);
  expect(traffic.commits).toHaveLength(1);

  const images16 = page.getByRole("img");
  await expect(page.getByRole("img", { name: "Left eye, baseline" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Right eye, follow-up" })).toBeVisible();
  await expect
    .poll(
      () =>
        images16.evaluateAll(
          (imgs) => (imgs as HTMLImageElement[]).filter((i) => i.complete && i.naturalWidth > 0).length,
        ),
      {
        timeout: 30_000,
      },
    )
    .toBe(16);
  await testInfo.attach("committed study", {
    body: await page.screenshot({ fullPage: true }),
    contentType: "image/png",
  });

  const study = await api.getStudy(studyId);
  expect(study.elements).toHaveLength(16);
  expect((await listAllStudies(api)).length).toBe(studiesBefore + 1);
  const byName = new Map(images.map((i) => [i.name, i]));
  for (const element of study.elements) {
    const original = byName.get(element.name)!;
    expect(element.size).toBe(original.buffer.length);
    expect(await storage.storedMd5(element.url), element.name).toBe(original.md5);
  }
  expect(study.elements.find((e) => e.name === "scan-01.png")?.label).toBe("Left eye, baseline");
});
