import { describe, expect, it } from "vitest";
import { keepingTypedText } from "./draft-restore.js";

describe("keepingTypedText", () => {
  const back = { title: "Saved title", description: "Saved description", imageIds: ["image-1"] };

  it("nothing typed: the draft's text comes back", () => {
    expect(keepingTypedText(back, { title: "", description: "" })).toEqual(back);
  });

  it("a field typed while the draft was read keeps what was typed; the other comes back", () => {
    expect(keepingTypedText(back, { title: "", description: "Typed at once" })).toEqual({
      ...back,
      description: "Typed at once",
    });
    expect(keepingTypedText(back, { title: "Typed", description: "" })).toEqual({ ...back, title: "Typed" });
  });

  it("a draft that brings no text back (expired, committed) leaves what was typed alone", () => {
    const notice = { draftNotice: { message: "cleared", studyId: null } };
    expect(keepingTypedText(notice, { title: "Typed", description: "" })).toEqual({ ...notice, title: "Typed" });
  });
});
