import type { ApiClient, Study, StudySummary } from "@study-uploader/shared";
import { createStore } from "zustand/vanilla";

export interface StudiesState {
  /** Newest first, as the API lists them; null until loaded. */
  summaries: StudySummary[] | null;
  listError: string | null;
  studies: Record<string, Study>;
  studyErrors: Record<string, string>;
  /** Plain functions (not methods): components pass them around as event handlers. */
  actions: {
    loadList: () => Promise<void>;
    /** Fetches a study (with fresh image read links) and keeps it for the page. */
    loadStudy: (studyId: string) => Promise<void>;
    /** A study just committed: shown at once, and the list is stale. */
    remember: (study: Study) => void;
  };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createStudiesStore(api: Pick<ApiClient, "listStudies" | "getStudy">) {
  return createStore<StudiesState>()((set) => ({
    summaries: null,
    listError: null,
    studies: {},
    studyErrors: {},
    actions: {
      async loadList() {
        try {
          set({ summaries: (await api.listStudies()).studies, listError: null });
        } catch (error) {
          set({ listError: `Could not load the studies: ${errorMessage(error)}` });
        }
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
        set((state) => ({ studies: { ...state.studies, [study.id]: study }, summaries: null }));
      },
    },
  }));
}

function withoutKey<V>(record: Record<string, V>, key: string): Record<string, V> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

export type StudiesStore = ReturnType<typeof createStudiesStore>;
