import { describe, expect, it } from "vitest";
import { readSavedDraft, restoreDraft } from "./saved-draft.js";

const file = (name: string, lastModified = 1) => ({ name, size: 10, type: "image/png", lastModified });
const image = (id: string, batchIndex: number | null, uploaded: boolean, md5: string | null = "m") => ({
  id,
  file: file(`${id}.png`),
  label: id,
  batchIndex,
  md5,
  uploaded,
  thumbnail: null,
  handle: null,
});
/** A version-1 draft (upload state on each image), read as this version keeps it. */
const draft = (images: ReturnType<typeof image>[], expiresAt = 10_000) =>
  readSavedDraft({ version: 1, title: "T", description: "", batchId: "b", expiresAt, savedAt: 0, images })!;
const status = (files: { index: number; uploaded: boolean; removed?: boolean }[], studyId: string | null = null) => ({
  batchId: "b",
  stagingExpiresAt: new Date(5_000).toISOString(),
  studyId,
  files: files.map((f) => ({ name: "x", size: 10, type: "image/png" as const, removed: false, ...f })),
});

describe("restoreDraft", () => {
  it("storage decides what arrived; images without an index or a hash wait for their files", () => {
    const restored = restoreDraft(
      draft([image("a", 0, false), image("b", 1, true), image("c", null, false), image("d", 2, false, null)]),
      status([
        { index: 0, uploaded: true },
        { index: 1, uploaded: false },
        { index: 2, uploaded: true },
      ]),
      1_000,
    );
    expect(restored.kind).toBe("restored");
    if (restored.kind !== "restored") return;
    expect(restored.images.map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
    expect(restored.sessionFiles.map((f) => [f.id, f.index, f.uploaded])).toEqual([
      ["a", 0, true],
      ["b", 1, false],
      ["d", 2, false],
    ]);
    // The server's staging deadline is earlier than the draft's own estimate.
    expect(restored.draft.expiresAt).toBe(5_000);
  });

  it("trusts the draft's own record when the API could not be asked", () => {
    const restored = restoreDraft(draft([image("a", 0, true)]), null, 1_000);
    expect(restored.kind === "restored" && restored.sessionFiles[0]!.uploaded).toBe(true);
  });

  it("drops removed images; a gone batch or a passed deadline expires the draft; a study ends it", () => {
    const removed = restoreDraft(
      draft([image("a", 0, true)]),
      status([{ index: 0, uploaded: true, removed: true }]),
      1,
    );
    expect(removed.kind === "restored" && removed.images).toEqual([]);
    expect(restoreDraft(draft([]), "gone", 1).kind).toBe("expired");
    expect(restoreDraft(draft([], 10), null, 10).kind).toBe("expired");
    expect(restoreDraft(draft([]), status([], "S1"), 1)).toMatchObject({ kind: "committed", studyId: "S1" });
  });
});

describe("readSavedDraft", () => {
  it("takes up a version-1 draft: the form's images, and each announced image's upload in the session's part", () => {
    expect(draft([image("a", 0, true), image("b", null, false)])).toMatchObject({
      version: 2,
      images: [{ id: "a", label: "a" }, { id: "b" }],
      upload: { batchId: "b", files: [{ id: "a", index: 0, md5: "m", uploaded: true }] },
    });
    expect(draft([image("a", 0, true)]).images[0]).not.toHaveProperty("batchIndex");
  });

  it("a version it does not know is no draft", () => {
    expect(readSavedDraft(undefined)).toBeNull();
    expect(readSavedDraft({ version: 3 })).toBeNull();
  });
});
