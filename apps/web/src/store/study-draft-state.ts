import type { UploadConfig } from "@study-uploader/shared";
import type { FileUploadState } from "@study-uploader/upload-engine";

export type UploadStatus = FileUploadState["status"];

export interface DraftImage {
  id: string;
  file: File;
  previewUrl: string;
  label: string;
  status: UploadStatus;
  attempt: number;
  /** Why the file is being retried or failed, in words. */
  statusReason: string | null;
  /** Never decreases while the image belongs to the same batch. */
  sentBytes: number;
  md5: string | null;
  /** Whether the file's bytes were checked (see imageStructureProblem); files are sent only once they pass. */
  checked: boolean;
  /** Why the file's content will not be sent (it is not the image its type says), once checked. */
  contentProblem: string | null;
}

/**
 * editing: the researcher types, adds and removes images while they upload. waiting: Create study was pressed
 * while images were still uploading; the commit follows the last one. committing: the commit request is out.
 */
export type DraftPhase = "editing" | "waiting" | "committing";

/** Plain functions (not methods): components pass them around as event handlers. */
export interface StudyDraftActions {
  loadConfig: () => Promise<void>;
  setTitle: (title: string) => void;
  setDescription: (description: string) => void;
  setLabel: (imageId: string, label: string) => void;
  /** Adds images; each starts uploading as soon as its bytes are checked. */
  addFiles: (files: readonly File[]) => void;
  /** Removes an image: its upload stops and its staged copy is deleted. */
  removeImage: (imageId: string) => void;
  /** Commits the study now if every image has arrived, else as soon as the last one does. */
  createStudy: () => Promise<void>;
  /** Sends failed images again (and retries a commit that failed): done images are never sent again. */
  retryFailed: () => Promise<void>;
  retryImage: (imageId: string) => Promise<void>;
  /** Stops waiting to commit; uploads go on. */
  cancel: () => void;
}

export interface StudyDraftState {
  config: UploadConfig | null;
  configError: string | null;
  title: string;
  description: string;
  imageIds: string[];
  images: Record<string, DraftImage>;
  phase: DraftPhase;
  /** The server-side batch the images upload into, once the first one was announced. */
  batchId: string | null;
  /** Create study was pressed and the study is not made yet: a retry that fixes the last failure commits it. */
  commitRequested: boolean;
  /** Why the last try to create the study stopped (batch request or commit), for the whole form. */
  formError: string | null;
  /** The latest status message for the polite live region. */
  announcement: string;
  bytesPerSecond: number | null;
  actions: StudyDraftActions;
}

/** The parts of the state that hold the images, for selectors and checks that need nothing else. */
export type DraftImages = Pick<StudyDraftState, "imageIds" | "images">;
