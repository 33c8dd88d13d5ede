import type { CreateBatchRequest } from "@study-uploader/shared";
import type { RestoredFile, SessionFile } from "./study-session-types.js";
import type { FileUploadState } from "./upload-file.js";

/** One added file of a study session and how far it got. */
export interface TrackedFile {
  id: string;
  size: number;
  /** Null for a restored file until it is added again (or for good, once it arrived before the reload). */
  body: Blob | null;
  spec: CreateBatchRequest["files"][number];
  /** Its batch and index in it, once the API has announced it. */
  batchId: string | null;
  index: number | null;
  status: FileUploadState["status"];
  md5: Promise<string>;
  md5Value: string | null;
  sentBytes: number;
  /** Aborted when the file is removed or the session starts over: stops its hash and its uploads. */
  controller: AbortController;
}

/** A file just added: not announced, not hashed (the session starts its hash). */
export const trackedFile = (file: SessionFile): TrackedFile => ({
  id: file.id,
  size: file.body.size,
  body: file.body,
  spec: { name: file.name, size: file.body.size, type: file.type },
  batchId: null,
  index: null,
  status: "queued",
  md5: Promise.resolve(""),
  md5Value: null,
  sentBytes: 0,
  controller: new AbortController(),
});

/** A file of a batch begun before a reload: done if it arrived, else waiting at its index for its bytes. */
export function restoredTrackedFile(file: RestoredFile, batchId: string): TrackedFile {
  const arrived = file.uploaded && file.md5 !== null;
  return {
    id: file.id,
    size: file.size,
    body: null,
    spec: { name: file.name, size: file.size, type: file.type },
    batchId,
    index: file.index,
    status: arrived ? "done" : "queued",
    md5: Promise.resolve(file.md5 ?? ""),
    md5Value: file.md5,
    sentBytes: arrived ? file.size : 0,
    controller: new AbortController(),
  };
}
