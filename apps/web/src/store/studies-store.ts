import type { ApiClient, Study, StudyList, StudySummary } from "@study-uploader/shared";
import { createStore } from "zustand/vanilla";

type PageKind = "first" | "more";

export interface StudiesState {
  /** Every page loaded so far, newest first as the API lists them; null until the first page arrives. */
  summaries: StudySummary[] | null;
  /** Where the next page starts; null once the last page is loaded (and before the first). */
  nextCursor: string | null;
  /** Which page is on its way, if any. */
  listLoading: PageKind | null;
  /** Why the last page asked for did not come; what was loaded before stays. */
  listError: string | null;
  studies: Record<string, Study>;
  studyErrors: Record<string, string>;
  /** Plain functions (not methods): components pass them around as event handlers. */
  actions: {
    /** Starts the list over from the first page; while the first page is on its way, waits for that one. */
    loadList: () => Promise<void>;
    /** Appends the next page; while a page is on its way, waits for that one instead of asking twice. */
    loadMore: () => Promise<void>;
    /** Fetches a study (with fresh image read links) and keeps it for the page. */
    loadStudy: (studyId: string) => Promise<void>;
    /** A study just committed: shown at once, and the list starts over when next shown. */
    remember: (study: Study) => void;
  };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A page added after the loaded studies. A study already there keeps its place and is not shown twice: pages can
 * overlap when studies are added while someone pages.
 */
export function appendNewStudies(loaded: readonly StudySummary[], page: readonly StudySummary[]): StudySummary[] {
  const seen = new Set(loaded.map((study) => study.id));
  const added = page.filter((study) => {
    if (seen.has(study.id)) return false;
    seen.add(study.id);
    return true;
  });
  return [...loaded, ...added];
}

interface PageRequest {
  kind: PageKind;
  done: Promise<void>;
}

export function createStudiesStore(api: Pick<ApiClient, "listStudies" | "getStudy">) {
  /** The page request on its way; one the list has moved on from (started over) is dropped when it answers. */
  let inFlight: PageRequest | null = null;

  return createStore<StudiesState>()((set, get) => {
    const receivePage = async (request: PageRequest, cursor: string | undefined) => {
      let page: StudyList;
      try {
        page = await api.listStudies(cursor === undefined ? {} : { cursor });
      } catch (error) {
        if (inFlight !== request) return;
        inFlight = null;
        const what = request.kind === "first" ? "the studies" : "more studies";
        set({ listLoading: null, listError: `Could not load ${what}: ${errorMessage(error)}` });
        return;
      }
      if (inFlight !== request) return;
      inFlight = null;
      set((state) => ({
        summaries: appendNewStudies(request.kind === "first" ? [] : (state.summaries ?? []), page.studies),
        nextCursor: page.nextCursor,
        listLoading: null,
        listError: null,
      }));
    };

    const requestPage = (kind: PageKind, cursor?: string): Promise<void> => {
      // In flight before the request starts, so even an answer that comes at once finds itself current.
      const request: PageRequest = { kind, done: Promise.resolve() };
      inFlight = request;
      set({ listLoading: kind, listError: null });
      request.done = receivePage(request, cursor);
      return request.done;
    };

    return {
      summaries: null,
      nextCursor: null,
      listLoading: null,
      listError: null,
      studies: {},
      studyErrors: {},
      actions: {
        loadList() {
          if (inFlight?.kind === "first") return inFlight.done;
          return requestPage("first");
        },
        loadMore() {
          if (inFlight) return inFlight.done;
          const { summaries, nextCursor } = get();
          if (summaries === null || nextCursor === null) return Promise.resolve();
          return requestPage("more", nextCursor);
        },
        async loadStudy(studyId) {
          try {
            const study = await api.getStudy(studyId);
            set((state) => ({
              studies: { ...state.studies, [studyId]: study },
              studyErrors: withoutKey(state.studyErrors, studyId),
            }));
          } catch (error) {
            set((state) => ({ studyErrors: { ...state.studyErrors, [studyId]: errorMessage(error) } }));
          }
        },
        remember(study) {
          inFlight = null;
          set((state) => ({
            studies: { ...state.studies, [study.id]: study },
            summaries: null,
            nextCursor: null,
            listLoading: null,
            listError: null,
          }));
        },
      },
    };
  });
}

function withoutKey<V>(record: Record<string, V>, key: string): Record<string, V> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

export type StudiesStore = ReturnType<typeof createStudiesStore>;
