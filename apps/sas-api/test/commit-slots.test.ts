import { describe, expect, it } from "vitest";
import { apiErrorSchema, sleep } from "@study-uploader/shared";
import { Semaphore } from "../src/semaphore.js";
import { commitBody, createBatch, pngFile, testApiForSuite, uploadAll } from "./test-api.js";

/** Short, so the test waits out the refusal quickly; the app's own wait is seconds. */
const SLOT_WAIT_MS = 300;

const slots = new Semaphore(1, SLOT_WAIT_MS);
const api = testApiForSuite({}, { verifySlots: slots });

async function uploadedStudy() {
  const files = [pngFile("a.png"), pngFile("b.png")];
  const batch = await createBatch(api, files);
  await uploadAll(batch, files);
  return commitBody(batch, files);
}

describe("commits verifying at once in one API process", () => {
  it("wait for a slot, then verify and commit", async () => {
    const study = await uploadedStudy();
    const held = await slots.acquire();
    let answered = false;
    const committing = api.post("/api/studies", study).finally(() => (answered = true));
    await sleep(SLOT_WAIT_MS / 2);
    expect(answered).toBe(false);
    held!();
    expect((await committing).status).toBe(201);
  });

  it("answer 503 server_busy with Retry-After when no slot comes free in time, and touch no upload", async () => {
    const study = await uploadedStudy();
    const held = await slots.acquire();
    const busy = await api.post("/api/studies", study);
    held!();
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("2");
    const { error } = apiErrorSchema.parse(await busy.json());
    expect(error.code).toBe("server_busy");
    expect(error.files).toBeUndefined();
    // Nothing was verified, so nothing was deleted: the same commit goes through once a slot is free.
    expect((await api.post("/api/studies", study)).status).toBe(201);
  });
});
