import type { BatchStatus } from "@study-uploader/shared";
import { restoredBlocks, type RestoredFile } from "@study-uploader/upload-engine/node";
import type { FolderImage } from "./folder-images.js";
import type { Journal, JournalFile } from "./journal.js";

/** How a run takes up the batch an earlier run began. */
export interface ResumePlan {
  /** For `session.restore`: every file the batch holds, as far as storage and the journal know it. */
  restored: RestoredFile[];
  /** Restored files to take out of the batch at once: changed since, gone from the folder, or never journalled. */
  drop: string[];
  /** Each image of the folder by name → its id in the session (a restored file's, or a new one). */
  ids: Map<string, string>;
  /** What the run tells the researcher about it. */
  notes: string[];
}

type Change = "size" | "modified time" | "content (MD5)";

/** How an image differs from the file the journal recorded under its name, by what can be read without hashing. */
export function changeOf(entry: JournalFile, image: FolderImage): Change | null {
  if (entry.size !== image.size) return "size";
  if (entry.mtimeMs !== image.mtimeMs) return "modified time";
  return null;
}

/**
 * Files storage holds whose bytes are read again before they are trusted: arrived, and not changed by size or
 * modification time (the journal may lack the MD5 of one that arrived just before the run ended).
 */
export function arrivedUnchanged(journal: Journal, status: BatchStatus, images: readonly FolderImage[]): FolderImage[] {
  const byName = new Map(images.map((image) => [image.name, image]));
  const onServer = new Map(status.files.map((file) => [file.index, file]));
  return journal.files.flatMap((entry) => {
    const image = byName.get(entry.name);
    const server = onServer.get(entry.index);
    const arrived = server?.uploaded && !server.removed;
    return arrived && image && !changeOf(entry, image) ? [image] : [];
  });
}

/**
 * Takes up an earlier run's batch: what storage holds decides which files arrived (never sent again); a file whose
 * size, modification time or MD5 (`rehashed`, for files that arrived) changed since is taken out and sent again as
 * a new file, and said so; files gone from the folder are taken out; new files join.
 */
export function planResume(
  journal: Journal,
  status: BatchStatus,
  images: readonly FolderImage[],
  rehashed: ReadonlyMap<string, string>,
): ResumePlan {
  const plan: ResumePlan = { restored: [], drop: [], ids: new Map(), notes: [] };
  const byName = new Map(images.map((image) => [image.name, image]));
  const journalled = new Map(journal.files.map((entry) => [entry.index, entry]));
  for (const server of status.files) {
    if (server.removed) continue;
    const entry = journalled.get(server.index);
    const { name, size, type, index } = server;
    if (!entry) {
      // Announced by a run killed before it wrote the journal: unknown here, so it goes (its image joins anew).
      plan.restored.push({ id: `/unjournalled/${index}`, index, name, size, type, md5: null, uploaded: false });
      plan.drop.push(`/unjournalled/${index}`);
      continue;
    }
    // Arrived before the journal had its MD5: the file's MD5 now; the commit checks it against storage's.
    const md5 = entry.md5 ?? (server.uploaded ? (rehashed.get(entry.name) ?? null) : null);
    const uploaded = md5 !== null && server.uploaded;
    const blocks = uploaded ? null : restoredBlocks(entry.blocks, server.stagedBlocks ?? []);
    plan.restored.push({ id: entry.id, index, name, size, type, md5, uploaded, blocks });
    const image = byName.get(entry.name);
    const change =
      image &&
      (changeOf(entry, image) ??
        (uploaded && rehashed.has(entry.name) && rehashed.get(entry.name) !== md5 ? "content (MD5)" : null));
    if (!image) {
      plan.drop.push(entry.id);
      plan.notes.push(`${entry.name} is no longer in the folder: taken out of the study`);
    } else if (change) {
      plan.drop.push(entry.id);
      plan.ids.set(entry.name, `${entry.name}/${index}`);
      plan.notes.push(`${entry.name} changed since the last run (${change}): it is sent again`);
    } else {
      plan.ids.set(entry.name, entry.id);
    }
  }
  for (const image of images) if (!plan.ids.has(image.name)) plan.ids.set(image.name, image.name);
  return plan;
}
