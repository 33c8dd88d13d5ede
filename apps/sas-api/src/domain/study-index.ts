import { imageTypeSchema, type StudySummary } from "@study-uploader/shared";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { ReadUrlValidity } from "../storage/read-url-window.js";
import {
  imageLocation,
  isDeletedStudy,
  storedStudySchema,
  studyIndexName,
  studyRecordName,
  type StudyRecord,
} from "./records.js";

/**
 * Metadata values are ASCII: the title travels percent-encoded (the contract has refused malformed text). The
 * first image's blob, its type and where it lives let the list show it without reading the record.
 */
function indexMetadata(record: StudyRecord): Record<string, string> {
  const first = record.elements[0];
  return {
    studyid: record.id,
    title: encodeURIComponent(record.title),
    createdat: record.createdAt,
    elementcount: String(record.elements.length),
    ...(first && {
      thumbblob: encodeURIComponent(first.blobName),
      thumbtype: first.type,
      thumbin: imageLocation(record),
    }),
  };
}

/** The entry's name in the index, so a deleted study's entry can be removed. */
export const studyIndexEntry = (record: Pick<StudyRecord, "owner" | "createdAt" | "id">) =>
  studyIndexName(record.owner, record.createdAt, record.id);

/**
 * Lists a committed study in its owner's newest-first index. Idempotent (the name follows from the record), so
 * the commit, a repeated commit and the sweep can all call it: a crash between the record and its entry heals.
 * The caller read the record before this write, and a delete (tombstone, then entry) may have run in between:
 * an entry this call created is checked against the record once more and removed if the study is gone, so a
 * deleted study never stays listed.
 */
export async function indexStudy(storage: BlobStorage, record: StudyRecord): Promise<void> {
  const entry = studyIndexEntry(record);
  if (!(await storage.records.create("index", entry, { id: record.id }, indexMetadata(record)))) return;
  const now = await storage.records.read("studies", studyRecordName(record.owner, record.id), storedStudySchema);
  if (!now || isDeletedStudy(now)) await storage.records.delete("index", entry);
}

/** Set on an entry when its study's delete starts: listed as pending (no thumbnail) until the entry goes, last. */
const DELETION_PENDING = { deleting: "true" } as const;

/**
 * Marks the study's entry as being deleted, before anything of the study is changed, so the list says so (and
 * offers the delete again) while a delete that stopped half-way waits for its repeat or the sweep.
 */
export async function markListedAsDeleting(storage: BlobStorage, record: StudyRecord): Promise<void> {
  await storage.records.setMetadata("index", studyIndexEntry(record), {
    ...indexMetadata(record),
    ...DELETION_PENDING,
  });
}

export interface StudyPage {
  studies: StudySummary[];
  nextMarker: string | null;
}

/** A read URL of the study's first image, signed here from the entry's metadata: no storage call. */
function thumbnailUrl(
  storage: BlobStorage,
  metadata: Record<string, string>,
  validity: ReadUrlValidity,
): Promise<string | null> {
  const type = imageTypeSchema.safeParse(metadata.thumbtype);
  const location = metadata.thumbin === "staged" ? "staged" : "committed";
  // Entries written before the list showed thumbnails have none.
  if (!metadata.thumbblob || !type.success) return Promise.resolve(null);
  return storage.sas.readUrl(location, decodeURIComponent(metadata.thumbblob), type.data, validity);
}

/** One page of an owner's studies, newest first: one List Blobs call, whatever the number of studies. */
export async function readStudyIndex(
  storage: BlobStorage,
  owner: string,
  limit: number,
  marker: string | undefined,
  readUrlsValidity: ReadUrlValidity,
): Promise<StudyPage> {
  const page = await storage.records.listPage("index", `${owner}/`, limit, marker);
  return {
    studies: await Promise.all(
      page.records.map(async ({ metadata }) => {
        const deletionPending = metadata.deleting === DELETION_PENDING.deleting;
        return {
          id: metadata.studyid ?? "",
          title: decodeURIComponent(metadata.title ?? ""),
          createdAt: metadata.createdat ?? new Date(0).toISOString(),
          elementCount: Number(metadata.elementcount ?? 0),
          // Its images may already be gone: nothing more of it is handed out.
          thumbnailUrl: deletionPending ? null : await thumbnailUrl(storage, metadata, readUrlsValidity),
          deletionPending,
        };
      }),
    ),
    nextMarker: page.nextMarker,
  };
}

/** Marks that studies committed before the index existed have been entered in it. */
const BACKFILL_MARKER = "_migrations/study-index-backfilled";

/**
 * Enters studies committed before the index existed, once per storage account: their records carry the same
 * metadata the index needs. Safe to run from several instances at once (entries and marker are create-only).
 */
export async function backfillStudyIndex(storage: BlobStorage, now: Date): Promise<number> {
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
  await storage.records.create("index", BACKFILL_MARKER, { at: now.toISOString() });
  return entered;
}
