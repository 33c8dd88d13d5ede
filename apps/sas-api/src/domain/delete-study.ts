import { notFound } from "../errors.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import {
  isDeletedStudy,
  storedStudySchema,
  studyRecordName,
  type DeletedStudyRecord,
  type StoredStudy,
} from "./records.js";
import { studyIndexEntry } from "./study-index.js";

/** Overwrites lost to a racing writer (another delete) before giving up; each retry reads the record again. */
const REPLACE_ATTEMPTS = 3;

/** Everything of a study but its tombstone: the list entry, the images it shows, the rest of its batch's uploads. */
async function removeStudyData(
  storage: BlobStorage,
  study: Exclude<StoredStudy, DeletedStudyRecord> | null,
  tombstone: DeletedStudyRecord,
) {
  await storage.records.delete("index", studyIndexEntry(tombstone));
  // Copies live under the study id (orphans of lost races too); version 1 studies show their uploads.
  const copies = await storage.committed.list(`${tombstone.id}/`);
  await Promise.all(copies.map((name) => storage.committed.delete(name)));
  if (study?.version === 1) await Promise.all(study.elements.map((e) => storage.images.delete(e.blobName)));
  await storage.images.deleteAll(`${tombstone.batchId}/`);
}

/**
 * Deletes one of the owner's studies: its record becomes a tombstone first (If-Match on the version read), so a
 * repeated commit of its batch cannot bring it back and a sweep cannot re-list it; then its list entry, images
 * and uploads go. A repeat finishes whatever an interrupted delete left, and answers the same.
 */
export async function deleteStudy(storage: BlobStorage, owner: string, studyId: string): Promise<void> {
  const name = studyRecordName(owner, studyId);
  for (let attempt = 1; ; attempt++) {
    const stored = await storage.records.readStored("studies", name, storedStudySchema);
    if (!stored) throw notFound("Study");
    const record = stored.value;
    if (isDeletedStudy(record)) {
      await removeStudyData(storage, null, record);
      return;
    }
    const tombstone: DeletedStudyRecord = {
      version: 3,
      deleted: true,
      id: record.id,
      batchId: record.batchId,
      owner: record.owner,
      createdAt: record.createdAt,
      deletedAt: new Date().toISOString(),
    };
    const replaced = await storage.records.replace("studies", name, tombstone, stored.etag);
    if (replaced === "replaced") {
      await removeStudyData(storage, record, tombstone);
      return;
    }
    if (attempt >= REPLACE_ATTEMPTS) throw new Error(`study record ${name} kept changing while it was deleted`);
  }
}
