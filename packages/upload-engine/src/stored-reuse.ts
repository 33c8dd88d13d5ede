import type { ApiClient, UploadTarget } from "@study-uploader/shared";
import type { FileState } from "./upload-state.js";

/** The file is in storage as a copy of an image its owner already had: none of its bytes were sent. */
export const isReused = (state: FileState): boolean => state.kind === "uploaded" && state.reused === true;

/**
 * When the API listed this file's MD5 among the images its owner already has (`storedMd5s`), asks it to copy that
 * image into the upload instead of sending the bytes. Any other answer, a refusal or an error included, means
 * "send it": reuse only ever saves work, it never fails a file.
 */
export async function reusedFromStore(
  api: Pick<ApiClient, "reuseUpload">,
  batchId: string,
  target: UploadTarget,
  md5: string,
  throughOutages: <T>(call: () => Promise<T>, signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
): Promise<boolean> {
  if (!md5 || !target.storedMd5s?.includes(md5)) return false;
  try {
    return await throughOutages(() => api.reuseUpload(batchId, target.index, md5), signal);
  } catch {
    return false;
  }
}
