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
}

/** The server-side batch the current images were announced in; index i of the batch is imageIds[i]. */
export interface BatchSession {
  id: string;
  imageIds: readonly string[];
}

export type DraftPhase = "editing" | "uploading" | "committing";

/** Plain functions (not methods): components pass them around as event handlers. */
export interface StudyDraftActions {
  loadConfig: () => Promise<void>;
  setTitle: (title: string) => void;
  setDescription: (description: string) => void;
  setLabel: (imageId: string, label: string) => void;
  addFiles: (files: readonly File[]) => void;
  removeImage: (imageId: string) => void;
  /** Uploads every image that has not arrived yet, then commits. */
  createStudy: () => Promise<void>;
  /** The same for failed images only (and a commit that failed): done images are never sent again. */
  retryFailed: () => Promise<void>;
  retryImage: (imageId: string) => Promise<void>;
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
  batch: BatchSession | null;
  /** Why the last try to create the study stopped (batch request or commit), for the whole form. */
  formError: string | null;
  /** The latest status message for the polite live region. */
  announcement: string;
  bytesPerSecond: number | null;
  actions: StudyDraftActions;
}

/** The parts of the state that hold the images, for selectors and checks that need nothing else. */
export type DraftImages = Pick<StudyDraftState, "imageIds" | "images">;
