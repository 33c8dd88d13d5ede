import { describe, expect, inject, it } from "vitest";
import { MiB, apiErrorSchema } from "@study-uploader/shared";
import { NO_RATE_LIMITS_ENV } from "../src/rate-limit-settings.js";
import { startApiProcess, type ApiProcess } from "./api-process.js";
import { commitBody, createBatch, metadataOnlyJpeg, pngFile, uploadAll, type LocalFile } from "./test-api.js";

/** The budget: what one API process may grow by while commits check hostile files. */
const MAX_GROWTH_BYTES = 64 * MiB;
const HOSTILE_FILE_BYTES = 4.5 * MiB;
const FILES_PER_STUDY = 50;
/** Built once: every hostile file of every batch is this one (same size, same MD5). */
const hostileJpeg = metadataOnlyJpeg(HOSTILE_FILE_BYTES);
const FRAME_BEYOND_SCAN = "content is not a valid JPEG image (its frame header is not within the first 4 MiB)";

const hostileFiles = (count: number): LocalFile[] =>
  Array.from({ length: count }, (_, i) => ({ name: `hostile-${i}.jpg`, type: "image/jpeg", bytes: hostileJpeg }));

/** Creates a batch of these files and uploads them through its URLs; the commit's body, to send later. */
async function uploadedStudy(api: ApiProcess, files: LocalFile[]) {
  const batch = await createBatch(api, files);
  await uploadAll(batch, files);
  return commitBody(batch, files);
}

/** The commit is refused with every hostile file named, never a 500. */
async function expectRefused(response: Response, count: number) {
  expect(response.status).toBe(422);
  const { error } = apiErrorSchema.parse(await response.json());
  expect(error.code).toBe("verification_failed");
  expect(error.files).toEqual(Array.from({ length: count }, (_, index) => ({ index, problem: FRAME_BEYOND_SCAN })));
}

/**
 * An API process of its own, warmed up: every path the measured commits take has run once (a good commit, a
 * hostile one), so what `run` measures against the peak so far is the commits, not loading code.
 */
async function withWarmApi(run: (api: ApiProcess, warmPeakBytes: number) => Promise<void>) {
  const api = await startApiProcess(inject("azuriteConnectionString"), NO_RATE_LIMITS_ENV);
  try {
    expect(
      (await api.post("/api/studies", await uploadedStudy(api, [pngFile("a.png"), pngFile("b.png")]))).status,
    ).toBe(201);
    await expectRefused(await api.post("/api/studies", await uploadedStudy(api, hostileFiles(1))), 1);
    await run(api, api.peakRssBytes());
  } finally {
    await api.stop();
  }
}

const inMiB = (bytes: number) => Math.round(bytes / MiB);

describe("commits of hostile JPEGs (a frame header beyond the scan limit)", { timeout: 180_000 }, () => {
  it(`cost the API at most ${inMiB(MAX_GROWTH_BYTES)} MiB for ${FILES_PER_STUDY} files of 4.5 MiB`, async () => {
    await withWarmApi(async (api, warmPeak) => {
      const study = await uploadedStudy(api, hostileFiles(FILES_PER_STUDY));
      await expectRefused(await api.post("/api/studies", study), FILES_PER_STUDY);
      const peak = api.peakRssBytes();
      console.log(`one commit: peak RSS ${inMiB(warmPeak)} MiB after warm-up, ${inMiB(peak)} MiB after`);
      expect(peak - warmPeak).toBeLessThanOrEqual(MAX_GROWTH_BYTES);
    });
  });

  it("cost the API no more with four such commits at once", async () => {
    await withWarmApi(async (api, warmPeak) => {
      const studies = [];
      for (let i = 0; i < 4; i++) studies.push(await uploadedStudy(api, hostileFiles(FILES_PER_STUDY)));
      const responses = await Promise.all(studies.map((study) => api.post("/api/studies", study)));
      for (const response of responses) await expectRefused(response, FILES_PER_STUDY);
      const peak = api.peakRssBytes();
      console.log(`four commits: peak RSS ${inMiB(warmPeak)} MiB after warm-up, ${inMiB(peak)} MiB after`);
      expect(peak - warmPeak).toBeLessThanOrEqual(MAX_GROWTH_BYTES);
    });
  });
});
