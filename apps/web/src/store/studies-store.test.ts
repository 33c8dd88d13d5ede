import type { Study } from "@study-uploader/shared";
import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "@study-uploader/shared";
import { createStudiesStore } from "./studies-store.js";

const study: Study = { id: "s1", title: "Faces", description: "", createdAt: "2030-01-01T00:00:00.000Z", elements: [] };

describe("studies store", () => {
  it("loads the list and a study, and keeps errors per study", async () => {
    const api = {
      listStudies: vi.fn(async () => ({
        studies: [{ id: "s1", title: "Faces", createdAt: study.createdAt, elementCount: 4 }],
        nextCursor: null,
      })),
      getStudy: vi.fn(async (id: string) => {
        if (id === "s1") return study;
        throw new ApiRequestError(404, "not_found", "Study not found");
      }),
    };
    const store = createStudiesStore(api);
    const { actions } = store.getState();
    await actions.loadList();
    await actions.loadStudy("s1");
    await actions.loadStudy("missing");
    expect(store.getState()).toMatchObject({
      summaries: [{ id: "s1", elementCount: 4 }],
      studies: { s1: study },
      studyErrors: { missing: "Study not found" },
    });
  });

  it("shows a committed study at once and marks the list stale", async () => {
    const store = createStudiesStore({
      listStudies: vi.fn(async () => ({ studies: [], nextCursor: null })),
      getStudy: vi.fn(),
    });
    await store.getState().actions.loadList();
    store.getState().actions.remember(study);
    expect(store.getState().studies.s1).toBe(study);
    expect(store.getState().summaries).toBeNull();
  });
});
