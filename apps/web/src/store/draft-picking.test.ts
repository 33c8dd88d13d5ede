import { describe, expect, it } from "vitest";
import { pickNoticeLines, pickNoticeOf, sortPicked, type ListedImage } from "./draft-picking.js";

const file = (name: string, size = 10, lastModified = 1) => ({ name, size, type: "image/png", lastModified });
const listed = (id: string, f: ReturnType<typeof file>, extra: Partial<ListedImage> = {}): ListedImage => ({
  id,
  file: f,
  waiting: false,
  counted: true,
  ...extra,
});
const ids = () => {
  let n = 0;
  return () => `new-${++n}`;
};
const never = () => false;

describe("sortPicked", () => {
  it("gives restored images their files back (each once, by name, size and last change); the rest are new", () => {
    const list = [
      listed("1", file("a.png"), { waiting: true }),
      listed("2", file("a.png"), { waiting: true }),
      listed("3", file("b.png", 5), { waiting: true }),
    ];
    const picked = [file("a.png"), file("b.png", 6), file("a.png"), file("a.png")];
    const sorted = sortPicked(list, picked, { maxFiles: 10 }, never, ids());
    expect(sorted.matched.map((m) => m.id)).toEqual(["1", "2"]);
    expect(sorted.added).toEqual([{ id: "new-1", file: file("b.png", 6) }]);
    // The third a.png is the same file as one the list holds now.
    expect(sorted.alreadyAdded).toEqual([{ file: file("a.png"), id: "1" }]);
  });

  it("never adds a file the list holds, or one picked twice; a file of another size or date is another", () => {
    const sorted = sortPicked(
      [listed("1", file("a.png"))],
      [file("a.png"), file("b.png"), file("b.png"), file("a.png", 10, 2)],
      { maxFiles: 10 },
      never,
      ids(),
    );
    expect(sorted.added.map((a) => a.id)).toEqual(["new-1", "new-2"]);
    expect(sorted.alreadyAdded).toEqual([
      { file: file("a.png"), id: "1" },
      { file: file("b.png"), id: "new-1" },
    ]);
  });

  it("refuses files beyond the count and byte limits; refused rows take no room", () => {
    const sorted = sortPicked(
      [listed("1", file("a.png", 50)), listed("2", file("bad.gif", 500), { counted: false })],
      [file("b.png", 30), file("c.png", 30), file("d.png", 10), file("e.png", 10), file("x.txt", 999)],
      { maxFiles: 3, maxBatchBytes: 100 },
      (f) => f.name.endsWith(".txt"),
      ids(),
    );
    expect(sorted.added.map((a) => a.file.name)).toEqual(["b.png", "d.png", "x.txt"]);
    expect(sorted.overLimit).toEqual(["c.png", "e.png"]);
  });
});

describe("pickNoticeLines", () => {
  it("says in words what was left out and why", () => {
    const notice = pickNoticeOf(
      {
        alreadyAdded: [
          { file: file("a.png"), id: "1" },
          { file: file("b.png"), id: "2" },
          { file: file("a.png"), id: "1" },
        ],
        overLimit: ["c.png", "d.png", "e.png", "f.png"],
      },
      { maxFiles: 50, maxBatchBytes: 1024 },
    )!;
    expect(pickNoticeLines(notice)).toEqual([
      "2 files are already in the list: not added again (a.png, b.png).",
      "4 images were not added: a study holds at most 50 images and 1 KiB. Remove some to make room. " +
        "Not added: c.png, d.png, e.png and 1 more.",
    ]);
    expect(pickNoticeOf({ alreadyAdded: [], overLimit: [] }, { maxFiles: 1 })).toBeNull();
  });
});
