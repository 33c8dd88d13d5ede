import { openAsBlob } from "node:fs";
import type { BatchStatus } from "@study-uploader/shared";
import { nodeMd5 } from "@study-uploader/upload-engine/node";
import type { FolderImage } from "./folder-images.js";
import type { Journal } from "./journal.js";
import { arrivedUnchanged } from "./resume-plan.js";

/** Files hashed at once: enough to keep a disk busy, few enough to keep memory flat. */
const HASHING_AT_ONCE = 4;

/**
 * The MD5 of every file that arrived in an earlier run and looks unchanged (same size and modification time):
 * its bytes are read once more, so a file changed in place without either changing is still sent again.
 */
export async function rehashArrived(
  journal: Journal,
  status: BatchStatus,
  images: readonly FolderImage[],
): Promise<Map<string, string>> {
  const pending = arrivedUnchanged(journal, status, images);
  const md5s = new Map<string, string>();
  const worker = async () => {
    for (let image = pending.shift(); image; image = pending.shift())
      md5s.set(image.name, await nodeMd5(await openAsBlob(image.path)));
  };
  await Promise.all(Array.from({ length: HASHING_AT_ONCE }, worker));
  return md5s;
}
