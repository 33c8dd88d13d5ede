import {
  ApiRequestError,
  errorMessage,
  type ApiClient,
  type Study,
  type StudyList,
  type StudySummary,
} from "@study-uploader/shared";
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
  /** Studies whose deletion is on its way. */
  deleting: Record<string, true>;
  /** Why a study's last deletion failed; the study stays. */
  deleteErrors: Record<string, string>;
  /** "Study “…” deleted", until a page has shown it (clearNotice). */
  notice: string | null;
  /** The user signed out: nothing is listed or fetched until the next one is seen. */
  signedOut: boolean;
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
    /**
     * Deletes a study and drops it from the study pages and the list; true once it is gone (a 404 means it already
     * was). While one deletion is on its way, asking again waits for that one.
     */
    deleteStudy: (studyId: string) => Promise<boolean>;
    clearNotice: () => void;
    /**
     * Whose token the API calls now carry. Another user's than the studies shown (or anyone's after a sign-out):
     * nothing of the last user's studies stays (lists, studies, errors, answers on their way), and a list that was
     * on show is asked for again as this user.
     */
    userSeen: (owner: string) => void;
    /** The user signed out: their studies go, and nothing is asked for until the next user is seen. */
    signedOut: () => void;
  };
}

const DELETED = "This study has been deleted.";

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

/** What the store holds of a user's studies, before any is loaded. */
const NOTHING_HELD = {
  summaries: null,
  nextCursor: null,
  listLoading: null,
  listError: null,
  studies: {},
  studyErrors: {},
  deleting: {},
  deleteErrors: {},
  notice: null,
} satisfies Omit<StudiesState, "signedOut" | "actions">;

interface PageRequest {
  kind: PageKind;
  done: Promise<void>;
}

export function createStudiesStore(api: Pick<ApiClient, "listStudies" | "getStudy" | "deleteStudy">) {
  /** The page request on its way; one the list has moved on from (started over) is dropped when it answers. */
  let inFlight: PageRequest | null = null;
  const deletions = new Map<string, Promise<boolean>>();
  /** Studies deleted here: a page asked for before the deletion may still list them. */
  const deleted = new Set<string>();
  /** Whose studies are held (null: not known yet). */
  let shownFor: string | null = null;
  /** A list was on show when its user went: the next user's is asked for when they come. */
  let listWantedByNextUser = false;

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
        summaries: appendNewStudies(
          request.kind === "first" ? [] : (state.summaries ?? []),
          page.studies.filter((study) => !deleted.has(study.id)),
        ),
        nextCursor: page.nextCursor,
        listLoading: null,
        listError: null,
      }));
    };

    const removeStudy = async (studyId: string, title: string | undefined): Promise<boolean> => {
      try {
        await api.deleteStudy(studyId);
      } catch (error) {
        if (!(error instanceof ApiRequestError && error.status === 404)) {
          set((state) => ({
            deleting: withoutKey(state.deleting, studyId),
            deleteErrors: { ...state.deleteErrors, [studyId]: `Could not delete the study: ${errorMessage(error)}` },
          }));
          return false;
        }
      }
      deleted.add(studyId);
      set((state) => ({
        studies: withoutKey(state.studies, studyId),
        studyErrors: { ...state.studyErrors, [studyId]: DELETED },
        summaries: state.summaries?.filter((study) => study.id !== studyId) ?? null,
        deleting: withoutKey(state.deleting, studyId),
        notice: title === undefined ? "Study deleted" : `Study “${title}” deleted`,
      }));
      return true;
    };

    /** Drops everything of the user the studies were for; true when a list was on show or on its way. */
    const forget = (): boolean => {
      const listWanted = inFlight !== null || get().summaries !== null;
      inFlight = null;
      deletions.clear();
      deleted.clear();
      set(NOTHING_HELD);
      return listWanted;
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
      ...NOTHING_HELD,
      signedOut: false,
      actions: {
        loadList() {
          if (get().signedOut) {
            listWantedByNextUser = true;
            return Promise.resolve();
          }
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
          if (get().signedOut) return;
          if (deleted.has(studyId)) {
            set((state) => ({ studyErrors: { ...state.studyErrors, [studyId]: DELETED } }));
            return;
          }
          try {
            const study = await api.getStudy(studyId);
            if (deleted.has(studyId)) return;
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
        deleteStudy(studyId) {
          const pending = deletions.get(studyId);
          if (pending) return pending;
          const state = get();
          const title = state.studies[studyId]?.title ?? state.summaries?.find((s) => s.id === studyId)?.title;
          set((s) => ({
            deleting: { ...s.deleting, [studyId]: true },
            deleteErrors: withoutKey(s.deleteErrors, studyId),
          }));
          const done = removeStudy(studyId, title).finally(() => deletions.delete(studyId));
          deletions.set(studyId, done);
          return done;
        },
        clearNotice() {
          set({ notice: null });
        },
        userSeen(owner) {
          const previous = shownFor;
          shownFor = owner;
          if (previous === null && !get().signedOut) return;
          if (previous === owner && !get().signedOut) return;
          const wanted = forget() || listWantedByNextUser;
          listWantedByNextUser = false;
          set({ signedOut: false });
          if (wanted) void requestPage("first");
        },
        signedOut() {
          listWantedByNextUser ||= forget();
          shownFor = null;
          set({ signedOut: true });
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
