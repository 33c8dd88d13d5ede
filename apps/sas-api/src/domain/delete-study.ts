import type { Logger } from "../logger.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { StoredRecord } from "../storage/record-store.js";
import { notFound } from "./domain-error.js";
import {
  PENDING_DELETES_PREFIX,
  batchPlanName,
  isDeletedStudy,
  pendingDeleteName,
  storedStudySchema,
  studyRecordName,
  type DeletedStudyRecord,
  type StoredStudy,
  type StudyRecord,
} from "./records.js";
import { forgetStoredImages } from "./stored-images.js";
import { markListedAsDeleting, studyIndexEntry } from "./study-index.js";

/** Overwrites lost to a racing writer (another delete) before giving up; each retry reads the record again. */
const REPLACE_ATTEMPTS = 3;

/**
 * Everything of a study but its tombstone: the images it shows, the rest of its batch's uploads, then its list
 * entry, last, so a delete that stops half-way stays listed (as pending) until it is finished.
 */
async function removeStudyData(storage: BlobStorage, study: StudyRecord | null, tombstone: DeletedStudyRecord) {
  // Copies live under the study id (orphans of lost races too); version 1 studies show their uploads.
  const copies = await storage.committed.list(`${tombstone.id}/`);
  await Promise.all(copies.map((name) => storage.committed.delete(name)));
  if (study?.version === 1) await Promise.all(study.elements.map((e) => storage.images.delete(e.blobName)));
  await storage.images.deleteAll(`${tombstone.batchId}/`);
  // Not offered for reuse any more. Best effort: a record left behind goes at the first reuse that misses its copy.
  if (study?.version === 2) await forgetStoredImages(storage, study).catch(() => undefined);
  await storage.records.delete("index", studyIndexEntry(tombstone));
}

/** The study's tombstone, written over the version read; the record already is one when an earlier delete got that far. */
async function tombstoneStudy(
  storage: BlobStorage,
  name: string,
  stored: StoredRecord<StoredStudy>,
  deletedAt: Date,
): Promise<{ tombstone: DeletedStudyRecord; study: StudyRecord | null } | "changed"> {
  const record = stored.value;
  if (isDeletedStudy(record)) return { tombstone: record, study: null };
  // Listed as pending before anything changes, so the list never shows a half-deleted study as whole.
  await markListedAsDeleting(storage, record);
  const { id, batchId, owner, createdAt } = record;
  const tombstone: DeletedStudyRecord = {
    version: 3,
    deleted: true,
    id,
    batchId,
    owner,
    createdAt,
    deletedAt: deletedAt.toISOString(),
  };
  const replaced = await storage.records.replace("studies", name, tombstone, stored.etag);
  return replaced === "replaced" ? { tombstone, study: record } : "changed";
}

/**
 * Takes a started delete to its end: tombstone (If-Match on the version read), images, uploads, list entry; then
 * the tombstone too once the batch's plan is gone (the sweep closed it: no commit can come to bring it back);
 * the pending-delete mark last. Every step is idempotent, so a repeat, the sweep and a racing delete agree.
 */
async function finishDelete(
  storage: BlobStorage,
  owner: string,
  studyId: string,
  firstRead: StoredRecord<StoredStudy> | null,
  now: Date,
): Promise<void> {
  const name = studyRecordName(owner, studyId);
  let stored = firstRead;
  for (let attempt = 1; ; attempt++) {
    stored ??= await storage.records.readStored("studies", name, storedStudySchema);
    // Nothing left: an earlier delete (or the sweep) finished it all.
    if (!stored) break;
    const outcome = await tombstoneStudy(storage, name, stored, now);
    if (outcome !== "changed") {
      await removeStudyData(storage, outcome.study, outcome.tombstone);
      if (!(await storage.records.exists("batches", batchPlanName(outcome.tombstone.batchId)))) {
        await storage.records.delete("studies", name);
      }
      break;
    }
    if (attempt >= REPLACE_ATTEMPTS) throw new Error(`study record ${name} kept changing while it was deleted`);
    stored = null;
  }
  await storage.records.delete("studies", pendingDeleteName(owner, studyId));
}

/**
 * Deletes one of the owner's studies. The delete is recorded first (a pending-delete mark the sweep lists), so
 * one that stops half-way, at any step and whatever its batch's age, is finished by a repeat or the next sweep.
 * A repeat answers the same while a tombstone stays; once nothing of the study is left it is a 404.
 */
export async function deleteStudy(storage: BlobStorage, owner: string, studyId: string, now: Date): Promise<void> {
  const stored = await storage.records.readStored("studies", studyRecordName(owner, studyId), storedStudySchema);
  if (!stored) throw notFound("Study");
  await storage.records.create("studies", pendingDeleteName(owner, studyId), { owner, studyId, at: now });
  await finishDelete(storage, owner, studyId, stored, now);
}

export interface PendingDeleteCounts {
  /** Deletes that had stopped half-way, now finished. */
  finishedDeletes: number;
  /** Deletes that could not be finished this time: reported, and tried again on the next run. */
  failedDeletes: number;
}

/** The sweep's part: finishes every delete that stopped half-way, by its mark, however old its batch. */
export async function finishPendingDeletes(
  deps: { storage: BlobStorage; logger: Logger },
  now: Date,
): Promise<PendingDeleteCounts> {
  const counts: PendingDeleteCounts = { finishedDeletes: 0, failedDeletes: 0 };
  for (const { name } of await deps.storage.records.list("studies", PENDING_DELETES_PREFIX)) {
    const match = /^([^/]+)\/([^/]+)$/.exec(name.slice(PENDING_DELETES_PREFIX.length));
    if (!match) continue;
    const [, owner, studyId] = match as unknown as [string, string, string];
    try {
      await finishDelete(deps.storage, owner, studyId, null, now);
      counts.finishedDeletes += 1;
    } catch (error) {
      counts.failedDeletes += 1;
      deps.logger.warn("delete not finished; the next run tries again", { owner, studyId, error: String(error) });
    }
  }
  return counts;
}
