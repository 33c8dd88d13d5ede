import { describe, expect, it } from "vitest";
import { commitReadiness } from "./study-commit.js";
import { trackedFile, type TrackedFile } from "./tracked-file.js";

const file = (id: string, change: Partial<TrackedFile> = {}): [string, TrackedFile] => [
  id,
  { ...trackedFile({ id, body: new Blob(["x"]), name: `${id}.png`, type: "image/png" }), ...change },
];
const done = { status: "done", md5Value: "md5" } as const;

describe("commitReadiness", () => {
  it("is ready when every image of the study arrived and was hashed, and hands them over in the study's order", () => {
    const files = new Map([file("a", done), file("b", done)]);
    expect(commitReadiness(["b", "a"], files)).toEqual({ kind: "ready", files: [files.get("b"), files.get("a")] });
  });

  it("waits while an image is still on its way, or arrived but its hash is not known yet", () => {
    expect(commitReadiness(["a", "b"], new Map([file("a", done), file("b", { status: "uploading" })]))).toEqual({
      kind: "wait",
    });
    expect(commitReadiness(["a"], new Map([file("a", { status: "done" })]))).toEqual({ kind: "wait" });
  });

  it("names the failed images instead of waiting for them", () => {
    const files = new Map([file("a", { status: "failed" }), file("b", { status: "uploading" }), file("c", done)]);
    expect(commitReadiness(["a", "b", "c"], files)).toEqual({ kind: "files-failed", failedIds: ["a"] });
  });

  it("refuses a study with no images, an image not in the session, or images whose files must be added again", () => {
    const files = new Map([file("a", done), file("restored", { body: null, status: "queued" })]);
    expect(commitReadiness([], files)).toMatchObject({ kind: "error", stage: "start" });
    expect(commitReadiness(["a", "gone"], files)).toMatchObject({ kind: "error", stage: "start" });
    expect(commitReadiness(["a", "restored"], files)).toEqual({
      kind: "error",
      stage: "start",
      message: "1 of the images must be added again",
    });
  });
});
