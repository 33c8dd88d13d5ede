import { openAsBlob } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import {
  checkedImageProblem,
  detectImageType,
  fileNameProblem,
  formatBytes,
  IMAGE_TYPE_NAMES,
  SIGNATURE_BYTES,
  type ImageType,
} from "@study-uploader/shared";
import { ioReason } from "./io-error.js";

/** An image of the folder, as it was when the folder was read. */
export interface FolderImage {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  type: ImageType;
}

export interface FolderScan {
  /** Images that may be sent, in natural file-name order. */
  images: FolderImage[];
  /** Entries that are not images by their name (or are hidden, or folders): listed, never sent. */
  skipped: { name: string; reason: string }[];
  /** Images that would be refused (empty, too large, not the image they claim): nothing is sent while any is. */
  problems: { name: string; problem: string }[];
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".webp"]);
const TYPE_NAMES = Object.values(IMAGE_TYPE_NAMES).join(", ");

/** Natural order, as a file manager shows names: image-2 before image-10, case aside. */
const natural = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
export const naturalOrder = (a: string, b: string) => natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** A bad folder argument: the run stops with exit 2. */
export class FolderError extends Error {
  override readonly name = "FolderError";
}

/**
 * Reads the folder (not its subfolders): which entries are images to send, which are skipped and why, and which
 * images would be refused. Reads only each image's head (a JPEG's up to its frame header), never a whole file.
 */
export async function scanFolder(folder: string, limits: { maxFileBytes: number }): Promise<FolderScan> {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new FolderError(`No such folder: ${folder}`);
  if (!info.isDirectory()) throw new FolderError(`Not a folder: ${folder}`);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new FolderError(`Cannot read the folder ${folder} (${ioReason(error)})`);
  }
  const scan: FolderScan = { images: [], skipped: [], problems: [] };
  for (const name of names.sort(naturalOrder)) {
    const file = path.join(folder, name);
    const entry = await stat(file).catch(() => null);
    const skip = (reason: string) => scan.skipped.push({ name, reason });
    if (!entry) skip("could not be read");
    else if (entry.isDirectory()) skip("a folder (subfolders are not uploaded)");
    else if (!entry.isFile()) skip("not a regular file");
    else if (name.startsWith(".")) skip("a hidden file");
    else if (!IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())) skip(`not an image by its name (${TYPE_NAMES})`);
    else {
      const checked = await checkImage(name, file, entry.size, entry.mtimeMs, limits.maxFileBytes);
      if ("problem" in checked) scan.problems.push(checked);
      else scan.images.push(checked);
    }
  }
  return scan;
}

async function checkImage(
  name: string,
  file: string,
  size: number,
  mtimeMs: number,
  maxFileBytes: number,
): Promise<FolderImage | { name: string; problem: string }> {
  const nameProblem = fileNameProblem(name);
  if (nameProblem) return { name, problem: `its ${nameProblem}` };
  if (size === 0) return { name, problem: "it is empty" };
  if (size > maxFileBytes)
    return { name, problem: `it is ${formatBytes(size)}, more than the ${formatBytes(maxFileBytes)} limit` };
  try {
    const body = await openAsBlob(file);
    const type = detectImageType(new Uint8Array(await body.slice(0, SIGNATURE_BYTES).arrayBuffer()));
    if (!type) return { name, problem: `its bytes are not a ${TYPE_NAMES} image` };
    const problem = await checkedImageProblem(body, type);
    return problem ? { name, problem: problem.replace(/^Not sent: /, "") } : { name, path: file, size, mtimeMs, type };
  } catch (error) {
    return { name, problem: `it could not be read (${ioReason(error)})` };
  }
}
