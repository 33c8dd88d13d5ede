import { describe, expect, it } from "vitest";
import type { DraftKeeper } from "./draft-autosave.js";
import { draftKeyOf, draftKeyRange, draftsElsewhere, takeFirstFree, type DraftShelf } from "./draft-shelf.js";
import type { SavedDraft } from "./saved-draft.js";

const draft = (title: string, savedAt: number, images = 0) =>
  ({ title, description: "", savedAt, images: Array.from({ length: images }, () => ({})) }) as SavedDraft;

describe("draftKeyRange", () => {
  it("holds a user's other drafts and no other user's, even one whose key starts with theirs", () => {
    const { lower, upperExclusive } = draftKeyRange("alice");
    const inRange = (key: string) => key >= lower && key < upperExclusive;
    expect([draftKeyOf("alice", "0a"), draftKeyOf("alice", "ff"), "alice#"].every(inRange)).toBe(true);
    expect(["alice", "alice2", "alice2#0a", "alic", "alice$", "alicf#1", "bob#alice"].some(inRange)).toBe(false);
  });
});

describe("draftsElsewhere", () => {
  const listed = [
    { key: "alice", draft: draft("Older", 1, 2) },
    { key: "alice#b", draft: draft("Newer", 2, 0) },
    { key: "alice#c", draft: draft("  ", 3, 0) },
    { key: "alice#d", draft: draft("Not held", 4, 1) },
    { key: "alice#e", draft: draft("Own", 5, 1) },
  ];

  it("offers the drafts other tabs hold, newest first, never an empty one, an unheld one or this tab's own", () => {
    const held = new Set(["alice", "alice#b", "alice#c", "alice#e"]);
    expect(draftsElsewhere(listed, held, "alice#e", new Set())).toEqual([
      { key: "alice#b", title: "Newer", images: 0, movedFromHere: false },
      { key: "alice", title: "Older", images: 2, movedFromHere: false },
    ]);
  });

  it("a draft let go from here continues in another tab, also while no tab holds it yet", () => {
    expect(draftsElsewhere(listed, new Set(), null, new Set(["alice#d"]))).toEqual([
      { key: "alice#d", title: "Not held", images: 1, movedFromHere: true },
    ]);
  });
});

/** A shelf whose drafts `held` cannot be taken; `take` records what was tried. */
function shelfWith(listed: { key: string; draft: SavedDraft }[], held: Set<string>) {
  const tried: string[] = [];
  const shelf: DraftShelf = {
    owner: "alice",
    list: async () => listed,
    heldKeys: async () => held,
    take: async (key) => {
      tried.push(key);
      return held.has(key) ? null : ({ key } as DraftKeeper);
    },
    takeOver: async (key) => ({ key }) as DraftKeeper,
    newKey: () => "alice#new",
    askToLetGo: () => undefined,
    listen: () => () => undefined,
  };
  return { shelf, tried };
}

describe("takeFirstFree", () => {
  const lost = () => undefined;

  it("opens the newest draft no other tab holds", async () => {
    const { shelf, tried } = shelfWith(
      [
        { key: "alice", draft: draft("oldest", 1) },
        { key: "alice#x", draft: draft("newest", 3) },
        { key: "alice#y", draft: draft("between", 2) },
      ],
      new Set(["alice#x"]),
    );
    expect((await takeFirstFree(shelf, lost)).key).toBe("alice#y");
    expect(tried).toEqual(["alice#x", "alice#y"]);
  });

  it("with no draft kept, takes the user's own key: one tab keeps its draft where it always was", async () => {
    const { shelf } = shelfWith([], new Set());
    expect((await takeFirstFree(shelf, lost)).key).toBe("alice");
  });

  it("when every draft is held elsewhere (the user's own key too), starts a new one", async () => {
    const { shelf, tried } = shelfWith([{ key: "alice#x", draft: draft("held", 1) }], new Set(["alice", "alice#x"]));
    expect((await takeFirstFree(shelf, lost)).key).toBe("alice#new");
    expect(tried).toEqual(["alice#x", "alice", "alice#new"]);
  });
});
