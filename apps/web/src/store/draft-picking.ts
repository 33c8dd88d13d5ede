import type { UploadConfig } from "@study-uploader/shared";
import { formatBytes } from "../format.js";
import { sameFile, type FileFacts } from "./saved-draft.js";

/** An image already in the draft, as picking sees it. */
export interface ListedImage {
  id: string;
  file: FileFacts;
  /** Restored without its bytes and not arrived: a file picked that matches it gives them back. */
  waiting: boolean;
  /** Counts against the study's limits: not refused (wrong type, too large, not the image its type says). */
  counted: boolean;
}

/** What becomes of each file of one pick (or drop), in the order picked. */
export interface SortedPick<F extends FileFacts> {
  /** Files that give a restored image its bytes back. */
  matched: { id: string; file: F }[];
  /** New rows, each with its new id. */
  added: { id: string; file: F }[];
  /** Files the list already holds (same name, size and last change): not added; `id` is the row that holds it. */
  alreadyAdded: { file: F; id: string }[];
  /** Files beyond the study's limits (images, or bytes a batch may hold): not added. */
  overLimit: string[];
}

/**
 * Sorts the files of one pick: a file the list already holds is never added twice (after a reload, picking the
 * whole folder again only gives back the bytes that are missing), and files beyond the study's limits are
 * refused at once rather than added to wait for ever. `refused(file)` says whether a file will be refused anyway
 * (its row shows why): such rows take no room.
 */
export function sortPicked<F extends FileFacts>(
  listed: readonly ListedImage[],
  files: readonly F[],
  limits: Pick<UploadConfig, "maxFiles" | "maxBatchBytes">,
  refused: (file: F) => boolean,
  newId: () => string,
): SortedPick<F> {
  const counted = listed.filter((image) => image.counted);
  let room = limits.maxFiles - counted.length;
  let bytesLeft = (limits.maxBatchBytes ?? Infinity) - counted.reduce((sum, image) => sum + image.file.size, 0);
  const waiting = listed.filter((image) => image.waiting);
  const held: { id: string; file: FileFacts }[] = [...listed];
  const sorted: SortedPick<F> = { matched: [], added: [], alreadyAdded: [], overLimit: [] };
  for (const file of files) {
    const back = waiting.findIndex((image) => sameFile(image.file, file));
    if (back !== -1) {
      sorted.matched.push({ id: waiting[back]!.id, file });
      waiting.splice(back, 1);
      continue;
    }
    const holder = held.find((image) => sameFile(image.file, file));
    if (holder) {
      sorted.alreadyAdded.push({ file, id: holder.id });
      continue;
    }
    const takesRoom = !refused(file);
    if (takesRoom && (room === 0 || file.size > bytesLeft)) {
      sorted.overLimit.push(file.name);
      continue;
    }
    if (takesRoom) {
      room--;
      bytesLeft -= file.size;
    }
    const added = { id: newId(), file };
    sorted.added.push(added);
    held.push(added);
  }
  return sorted;
}

/** What the form says above the list after a pick that left files out; null when every file was taken. */
export interface PickNotice {
  alreadyAdded: { name: string; id: string }[];
  overLimit: string[];
  limits: Pick<UploadConfig, "maxFiles" | "maxBatchBytes">;
}

export function pickNoticeOf(
  sorted: { alreadyAdded: readonly { file: FileFacts; id: string }[]; overLimit: string[] },
  limits: Pick<UploadConfig, "maxFiles" | "maxBatchBytes">,
): PickNotice | null {
  if (sorted.alreadyAdded.length === 0 && sorted.overLimit.length === 0) return null;
  const { maxFiles, maxBatchBytes } = limits;
  const alreadyAdded = sorted.alreadyAdded.map(({ file, id }) => ({ name: file.name, id }));
  return { alreadyAdded, overLimit: sorted.overLimit, limits: { maxFiles, maxBatchBytes } };
}

/** The notice once a file it said was already in the list turned out to be another image (null: nothing left). */
export function withoutAlreadyAdded(notice: PickNotice | null, name: string, id: string): PickNotice | null {
  if (!notice) return null;
  const alreadyAdded = notice.alreadyAdded.filter((entry) => entry.id !== id || entry.name !== name);
  return alreadyAdded.length === 0 && notice.overLimit.length === 0 ? null : { ...notice, alreadyAdded };
}

const names = (list: readonly string[]) =>
  list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`;

/** The notice in words, one sentence for each kind of file left out. */
export function pickNoticeLines(notice: PickNotice): string[] {
  const lines: string[] = [];
  const { alreadyAdded, overLimit } = notice;
  const unique = [...new Set(alreadyAdded.map((file) => file.name))];
  if (unique.length > 0) {
    lines.push(
      unique.length === 1
        ? `${unique[0]} is already in the list: not added again.`
        : `${unique.length} files are already in the list: not added again (${names(unique)}).`,
    );
  }
  if (overLimit.length > 0) {
    const { maxFiles, maxBatchBytes } = notice.limits;
    const bytes = maxBatchBytes === undefined ? "" : ` and ${formatBytes(maxBatchBytes)}`;
    lines.push(
      `${overLimit.length === 1 ? "1 image was" : `${overLimit.length} images were`} not added: a study holds at ` +
        `most ${maxFiles} images${bytes}. Remove some to make room. Not added: ${names(overLimit)}.`,
    );
  }
  return lines;
}
