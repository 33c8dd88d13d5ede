import { commitStudyThroughApi } from "../support/api-studies.js";
import { expect, test } from "../support/fixtures.js";
import { jpegImage, pngImage } from "../support/test-images.js";

test("images the researcher already stored are not sent again: no PUT, 'already uploaded', and the study reads back intact", async ({
  form,
  traffic,
  api,
  storage,
}) => {
  const stored = [pngImage("again-a.png", 40_000), pngImage("again-b.png", 60_000), jpegImage("again-c.jpg")];
  const first = await commitStudyThroughApi(api, "Stimuli, first session", stored);
  const fresh = pngImage("new-d.png", 50_000);
  const images = [stored[1]!, fresh, stored[0]!, stored[2]!];

  await form.open();
  await form.pick(images);
  for (const image of stored) await expect(form.row(image.name)).toContainText("already uploaded");
  await expect(form.row(fresh.name)).toContainText("done");
  await form.fillTitle("Stimuli, second session");
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Stimuli, second session");

  // Only the new image went over the researcher's uplink.
  expect(traffic.puts).toHaveLength(1);
  expect(traffic.putIndexes()).toEqual([1]);
  const study = await api.getStudy(studyId);
  expect(study.id).not.toBe(first.id);
  expect(study.elements.map((e) => e.name)).toEqual(images.map((i) => i.name));
  for (const [i, element] of study.elements.entries()) {
    expect(await storage.storedMd5(element.url), element.name).toBe(images[i]!.md5);
  }
});
