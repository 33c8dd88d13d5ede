import { describe, expect, it } from "vitest";
import { withImageMoved } from "./draft-images.js";

describe("withImageMoved", () => {
  const ids = ["a", "b", "c", "d"];

  it.each([
    ["to the top", "c", 0, ["c", "a", "b", "d"]],
    ["down one", "a", 1, ["b", "a", "c", "d"]],
    ["to the end", "b", 3, ["a", "c", "d", "b"]],
    ["past the end: to the end", "a", 99, ["b", "c", "d", "a"]],
    ["before the start: to the top", "d", -5, ["d", "a", "b", "c"]],
  ])("%s", (_case, id, position, expected) => {
    expect(withImageMoved(ids, id, position)).toEqual(expected);
  });

  it("is null when nothing moves: the same place, or an image not in the list", () => {
    expect(withImageMoved(ids, "b", 1)).toBeNull();
    expect(withImageMoved(ids, "a", -1)).toBeNull();
    expect(withImageMoved(ids, "x", 0)).toBeNull();
  });

  it("leaves the list it was given as it was", () => {
    withImageMoved(ids, "d", 0);
    expect(ids).toEqual(["a", "b", "c", "d"]);
  });
});
