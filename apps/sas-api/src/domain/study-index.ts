import type { StudySummary } from "@study-uploader/shared";
import type { BlobStorage } from "../storage/blob-storage.js";
import { studyIndexName, type StudyRecord } from "./records.js";

/** Metadata values are ASCII: the title travels percent-encoded (the contract has refused malformed text). */
function indexMetadata(record: StudyRecord): Record<string, string> {
  return {
    studyid: record.id,
    title: encodeURIComponent(record.title),
    createdat: record.createdAt,
    elementcount: String(record.elements.length),
  };
}

/**
 * Lists a committed study in its owner's newest-first index. Idempotent (the name follows from the record), so
 * the commit, a repeated commit and the sweep can all call it: a crash between the record and its entry heals.
 */
export async function indexStudy(storage: BlobStorage, record: StudyRecord): Promise<void> {
  const name = studyIndexName(record.owner, record.createdAt, record.id);
  await storage.records.create("index", name, { id: record.id }, indexMetadata(record));
}

export interface StudyPage {
  studies: StudySummary[];
  nextMarker: string | null;
}

/** One page of an owner's studies, newest first: one List Blobs call, whatever the number of studies. */
export async function readStudyIndex(
  storage: BlobStorage,
  owner: string,
  limit: number,
  marker: string | undefined,
): Promise<StudyPage> {
  const page = await storage.records.listPage("index", `${owner}/`, limit, marker);
  return {
    studies: page.records.map(({ metadata }) => ({
      id: metadata.studyid ?? "",
      title: decodeURIComponent(metadata.title ?? ""),
      createdAt: metadata.createdat ?? new Date(0).toISOString(),
      elementCount: Number(metadata.elementcount ?? 0),
    })),
    nextMarker: page.nextMarker,
  };
}

/** Marks that studies committed before the index existed have been entered in it. */
const BACKFILL_MARKER = "_migrations/study-index-backfilled";

/**
 * Enters studies committed before the index existed, once per storage account: their records carry the same
 * metadata the index needs. Safe to run from several instances at once (entries and marker are create-only).
 */
export async function backfillStudyIndex(storage: BlobStorage): Promise<number> {
  if (await storage.records.exists("index", BACKFILL_MARKER)) return 0;
  let entered = 0;
  for (const { name, metadata } of await storage.records.list("studies", "")) {
    const match = /^([^/]+)\/([^/]+)\.json$/.exec(name);
    if (!match || !metadata.createdat) continue;
    const [, owner, studyId] = match as unknown as [string, string, string];
    const entry = studyIndexName(owner, metadata.createdat, studyId);
    await storage.records.create("index", entry, { id: studyId }, { ...metadata, studyid: studyId });
    entered += 1;
  }
  await storage.records.create("index", BACKFILL_MARKER, { at: new Date().toISOString() });
  return entered;
}
