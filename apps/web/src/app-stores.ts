import { useRef, useSyncExternalStore } from "react";
import { useStore } from "zustand";
import { shallow } from "zustand/shallow";
import { createApiClient } from "@study-uploader/shared";
import { configuredAccessToken } from "./auth/access-token.js";
import { watchDraftOwner } from "./auth/draft-owner-watch.js";
import { exposeSignOut } from "./auth/sign-out-hook.js";
import { studyPath } from "./router/routes.js";
import { navigate } from "./router/router.js";
import { createDraftOwnership } from "./store/draft-ownership.js";
import { createStudiesStore, type StudiesState } from "./store/studies-store.js";
import type { StudyDraftState } from "./store/study-draft-state.js";
import { createStudyDraftStore } from "./store/study-draft-store.js";
import {
  nextFrameScheduler,
  createFetchProbe,
  createXhrPutBlob,
  readUploadProtocol,
  uploadConcurrency,
  type UploadSnapshot,
} from "@study-uploader/upload-engine";
import { createIndexedDbDraftShelf } from "./drafts/indexed-db-drafts.js";
import { makeThumbnailWhenIdle } from "./drafts/thumbnails.js";
import { createBrowserHashers } from "./workers/md5-worker.js";

/** The real dependencies, wired once for the browser. */
const draftOwner = watchDraftOwner(configuredAccessToken);
const api = createApiClient("", undefined, draftOwner.accessToken);

export const studiesStore = createStudiesStore(api);

const { hashMd5, hashDigest } = createBrowserHashers();
// Starts the worker and compiles its WebAssembly while the page is idle, not when the first images are picked.
setTimeout(() => void hashMd5(new Blob([])).catch(() => undefined), 0);

export const studyDraftStore = createStudyDraftStore({
  api,
  transport: createXhrPutBlob(),
  hashMd5,
  hashDigest,
  // Storage answers (even with an error) once the network is back: its upload links, else the API.
  probe: createFetchProbe(() => studyDraftStore.getState().session.getSnapshot().uploadUrl ?? "/api/health"),
  scheduleNotify: nextFrameScheduler,
  previews: { create: (file) => URL.createObjectURL(file), revoke: (url) => URL.revokeObjectURL(url) },
  keepsDrafts: true,
  thumbnail: makeThumbnailWhenIdle,
  poolSize: (config, uploadUrl, pendingRequests) =>
    uploadConcurrency({
      configured: config.concurrency,
      http2: config.http2Concurrency,
      protocol: uploadUrl ? readUploadProtocol(new URL(uploadUrl, location.href).origin) : undefined,
      // Never below the configured size: images added later must not wait for a resize.
      files: Math.max(pendingRequests, config.concurrency),
    }),
  onStudyCommitted(study) {
    studiesStore.getState().actions.remember(study);
    navigate(studyPath(study.id));
  },
});

/** The signed-in user's kept drafts: one opened here, followed when the token names someone else, and signed out. */
export const draftOwnership = createDraftOwnership({
  actions: studyDraftStore.getState().actions,
  form: () => studyDraftStore.getState(),
  shelfFor: (owner) => createIndexedDbDraftShelf(owner),
  currentOwner: draftOwner.currentOwner,
  discardBatch: (batchId) => api.discardBatch(batchId),
});
// At page load, on every page: the saved draft's deadline and checks need the limits.
const limitsLoaded = studyDraftStore.getState().actions.loadConfig();
/**
 * Opens one of the user's drafts in this tab, the first time the new-study page shows: a tab that only browses
 * holds none. The store lives on across in-app navigation, so uploads go on while browsing.
 */
export const openDraftHere = () => void limitsLoaded.then(() => draftOwnership.start());
draftOwner.onOwner((owner) => {
  studiesStore.getState().actions.userSeen(owner);
  void draftOwnership.ownerSeen(owner);
});
exposeSignOut(async () => {
  // After the draft's clean-up, whose API calls still carry the signed-out user's token.
  await draftOwnership.signOut();
  studiesStore.getState().actions.signedOut();
});

// A page being hidden or unloaded may run no later task: what was typed a moment ago is written within the event.
// beforeunload comes first on a reload, while the new page is still being fetched: the write has time to commit.
const saveDraftNow = () => studyDraftStore.getState().actions.saveDraftNow();
window.addEventListener("beforeunload", saveDraftNow);
window.addEventListener("pagehide", saveDraftNow);
const networkChanged = () => studyDraftStore.getState().session.networkChanged(navigator.onLine);
window.addEventListener("online", networkChanged);
window.addEventListener("offline", networkChanged);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") saveDraftNow();
});

export const useStudyDraft = <T>(selector: (state: StudyDraftState) => T): T => useStore(studyDraftStore, selector);

const uploads = studyDraftStore.getState().session;
const subscribeToDraft = (listener: () => void) => {
  const fromForm = studyDraftStore.subscribe(listener);
  const fromUploads = uploads.subscribe(listener);
  return () => {
    fromForm();
    fromUploads();
  };
};

/**
 * Reads the form and the study session's uploads together: the component re-renders only when what `selector`
 * returns changes (compared shallowly, so a list of problems can be returned).
 */
export function useDraft<T>(selector: (form: StudyDraftState, upload: UploadSnapshot) => T): T {
  const last = useRef<{ form: StudyDraftState; upload: UploadSnapshot; selector: unknown; value: T } | null>(null);
  const read = () => {
    const form = studyDraftStore.getState();
    const upload = uploads.getSnapshot();
    const cached = last.current;
    if (cached?.form === form && cached.upload === upload && cached.selector === selector) return cached.value;
    const value = selector(form, upload);
    const kept = cached && shallow(cached.value, value) ? cached.value : value;
    last.current = { form, upload, selector, value: kept };
    return kept;
  };
  return useSyncExternalStore(subscribeToDraft, read);
}
export const useStudies = <T>(selector: (state: StudiesState) => T): T => useStore(studiesStore, selector);
