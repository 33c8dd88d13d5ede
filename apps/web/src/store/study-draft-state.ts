import type { UploadConfig } from "@study-uploader/shared";
import type { StudySession } from "@study-uploader/upload-engine";
import type { DraftKeeper } from "./draft-autosave.js";
import type { PickNotice } from "./draft-picking.js";
import type { DraftElsewhere } from "./draft-shelf.js";
import type { FileFacts, KeptFileHandle } from "./saved-draft.js";

/**
 * One image of the form: what the researcher picked, labelled and ordered. How far its upload got is the study
 * session's (`UploadSnapshot.files[id]`), never kept here.
 */
export interface DraftImage {
  id: string;
  /** The file's name, size, type and last change; the File itself once its bytes are at hand. */
  file: FileFacts;
  /** The bytes picked: null for an image restored from a saved draft until its file is added again. */
  blob: File | null;
  /** A small picture kept with the saved draft (shown while the bytes are not back). */
  thumbnail: Blob | null;
  /** Where the browser can keep it (a dropped file in Chromium): resumes without picking it again. */
  handle: KeptFileHandle | null;
  previewUrl: string | null;
  label: string;
}

/**
 * editing: the researcher types, adds and removes images while they upload. waiting: Create study was pressed
 * while images were still uploading; the commit follows the last one. committing: the commit request is out.
 * Read from the study session's commit (`draftPhase`).
 */
export type DraftPhase = "editing" | "waiting" | "committing";

/**
 * opening: the kept draft is being chosen or read (text can be typed, images picked wait for it). open: this tab
 * edits (and saves) it. Another tab never locks the form: each tab edits a draft of its own.
 */
export type DraftAccess = "opening" | "open";

/** What happened to the draft saved before this page was opened, said once above the form. */
export interface DraftNotice {
  message: string;
  /** The study the saved draft had already become, to link to. */
  studyId: string | null;
}

/** Plain functions (not methods): components pass them around as event handlers. */
export interface StudyDraftActions {
  loadConfig: () => Promise<void>;
  setTitle: (title: string) => void;
  setDescription: (description: string) => void;
  setLabel: (imageId: string, label: string) => void;
  /** Opens a kept draft this tab holds and brings it back; text typed meanwhile stays. */
  openDraft: (keeper: DraftKeeper) => Promise<void>;
  /**
   * Lets go of the open draft and empties the form: its uploads stop. "keep": the saved draft (written up to
   * now) and its batch wait for their owner or another tab. "forget": both are deleted (its owner signed out).
   * "lost": another tab took it without asking; nothing more is written to it.
   */
  closeDraft: (how: "keep" | "forget" | "lost") => Promise<void>;
  /** Writes the kept draft at once: the page is being hidden or unloaded, and may run no later task. */
  saveDraftNow: () => void;
  /** Which of the user's drafts other tabs hold (offered to continue here while this form is empty). */
  showDraftsElsewhere: (drafts: DraftElsewhere[]) => void;
  /**
   * Adds images; each starts uploading as soon as its bytes are checked. A file that matches a restored image
   * waiting for its bytes resumes that image. `handles` (same order) are kept so a reload can read them again.
   */
  addFiles: (files: readonly File[], handles?: readonly Promise<KeptFileHandle | null>[]) => void;
  /** Reads the restored images' files through their kept handles (asking permission): no picking again. */
  resumeFromHandles: () => Promise<void>;
  /** Moves an image to another position (0-based); the study keeps this order. */
  moveImage: (imageId: string, position: number) => void;
  /** Starts over: uploads stop, the batch's staged blobs are dropped, the saved draft is cleared. */
  discardDraft: () => void;
  dismissNotice: () => void;
  /** Removes an image; Undo can put it back for a few seconds, then its upload stops and its staged copy goes. */
  removeImage: (imageId: string) => void;
  /** Puts the image removed last back where it was, upload and all. */
  undoRemove: () => void;
  /** Removes every image that will not be sent (wrong type, too large, not the image its type says). */
  removeRejected: () => void;
  dismissPickNotice: () => void;
  /** Commits the study now if every image has arrived, else as soon as the last one does. */
  createStudy: () => Promise<void>;
  /** Sends failed images again (and retries a commit that failed): done images are never sent again. */
  retryFailed: () => Promise<void>;
  retryImage: (imageId: string) => Promise<void>;
  /** Stops waiting to commit; uploads go on. */
  cancel: () => void;
  /** Holds one image's upload (or all of them): what is in flight stops, finished blocks are kept. */
  pause: (imageId?: string) => void;
  /** Sends held uploads again: a large file only the blocks storage does not hold. */
  resume: (imageId?: string) => void;
}

export interface StudyDraftState {
  config: UploadConfig | null;
  configError: string | null;
  title: string;
  description: string;
  imageIds: string[];
  images: Record<string, DraftImage>;
  /** Create study was pressed and the study is not made yet: a retry that fixes the last failure commits it. */
  commitRequested: boolean;
  /** Why the last try to create the study stopped (batch request or commit), for the whole form. */
  formError: string | null;
  /** The latest status message for the polite live region. */
  announcement: string;
  /** Files the last pick left out (already in the list, beyond the limits), said above the list. */
  pickNotice: PickNotice | null;
  /**
   * The image removed last, while Undo can still put it back at `position`; `keptUpload`: it had arrived, and its
   * staged copy stays until Undo is no longer offered.
   */
  removed: { image: DraftImage; position: number; keptUpload: boolean } | null;
  draftAccess: DraftAccess;
  draftNotice: DraftNotice | null;
  draftsElsewhere: DraftElsewhere[];
  /** When the draft can no longer be committed (wall-clock ms): its batch's staging deadline. */
  expiresAt: number | null;
  /** The study session of the images: how far each got and the commit (`getSnapshot`, `subscribe`). */
  session: StudySession;
  actions: StudyDraftActions;
}

/** The parts of the state that hold the images, for selectors and checks that need nothing else. */
export type DraftImages = Pick<StudyDraftState, "imageIds" | "images">;

/** The form with nothing in it: a new page, and what a created, discarded or closed draft leaves. */
export const emptyForm = {
  title: "",
  description: "",
  imageIds: [],
  images: {},
  commitRequested: false,
  formError: null,
  expiresAt: null,
  pickNotice: null,
  removed: null,
} satisfies Partial<StudyDraftState>;
