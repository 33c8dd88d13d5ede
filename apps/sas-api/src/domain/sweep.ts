import { BATCH_ID_PATTERN } from "@study-uploader/shared";
import type { Logger } from "../logger.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import { SWEEP_GRACE_MS } from "./batches.js";
import { finishPendingDeletes, type PendingDeleteCounts } from "./delete-study.js";
import { studyIdForBatch } from "./ids.js";
import { batchPlanName, isDeletedStudy, storedStudySchema, studyRecordName } from "./records.js";
import { indexStudy, studyIndexEntry } from "./study-index.js";
import { thumbnailNames } from "./thumbnails.js";

export interface SweepDeps {
  storage: BlobStorage;
  logger: Logger;
}

export interface SweepOptions {
  /** The API's STAGING_TTL_HOURS: batches past it (and a grace margin) are done with, committed or not. */
  stagingTtlHours: number;
  /** When the sweep runs: batches are judged against it. */
  now: Date;
}

export interface SweepCounts extends PendingDeleteCounts {
  /** Batch plans past their deadline and the grace margin. */
  examined: number;
  /** Batches that never became a study: plan, uploads and any partial copies removed. */
  deletedBatches: number;
  /** Batches that became studies: their uploads and plan removed (the study shows its copies). */
  closedCommitted: number;
  /** Uploads deleted (with their snapshots). */
  deletedUploads: number;
  /** Copies no study shows (left by a commit that failed or lost a race), deleted. */
  deletedCopies: number;
  /** Batches that could not be swept this time: reported, and tried again on the next run. */
  failedBatches: number;
}

type BatchOutcome = Pick<SweepCounts, "deletedUploads" | "deletedCopies"> & { committed: boolean };

/**
 * Finishes one batch past its deadline. Committed studies show copies in their own container, so a batch's uploads
 * are never needed once it is done, committed or not. The plan goes last, so an interrupted sweep is finished by
 * the next one; a plan still leased (a commit in flight, which the grace margin makes impossible in practice)
 * makes the delete fail and the batch is left for the next run.
 */
async function sweepBatch(storage: BlobStorage, batchId: string, owner: string): Promise<BatchOutcome> {
  const studyId = studyIdForBatch(batchId);
  const recordName = studyRecordName(owner, studyId);
  const stored = await storage.records.read("studies", recordName, storedStudySchema);
  // Version 1 studies show their uploads: those stay, only the plan goes.
  if (stored?.version === 1) {
    await storage.records.delete("batches", batchPlanName(batchId));
    return { committed: true, deletedUploads: 0, deletedCopies: 0 };
  }
  // A deleted study shows nothing: its copies, uploads and plan all go, and its tombstone last (below).
  const record = stored && !isDeletedStudy(stored) ? stored : null;
  if (record) await indexStudy(storage, record);
  const shown = new Set(record?.elements.map((e) => e.blobName));
  // Its thumbnails are shown too: they stay.
  if (record) for (const name of thumbnailNames(record)) shown.add(name);
  const orphans = (await storage.committed.list(`${studyId}/`)).filter((name) => !shown.has(name));
  await Promise.all(orphans.map((name) => storage.committed.delete(name)));
  const deletedUploads = await storage.images.deleteAll(`${batchId}/`);
  await storage.records.delete("batches", batchPlanName(batchId));
  if (stored && isDeletedStudy(stored)) {
    // Belt and braces: an instance older than indexStudy's re-check may have listed it again after the delete.
    await storage.records.delete("index", studyIndexEntry(stored));
    // Past the deadline no commit can come, so nothing is left for the tombstone to guard.
    await storage.records.delete("studies", recordName);
  }
  return { committed: stored !== null, deletedUploads, deletedCopies: orphans.length };
}

/**
 * Closes every batch past its staging deadline plus `SWEEP_GRACE_MS`: commits and refreshes refuse a batch after
 * its deadline, and a commit that started in time writes its study within half the grace, so nothing the sweep
 * decides can race a commit. Only batches younger than the deadline remain afterwards, so a run's cost follows
 * recent activity, not the number of studies ever committed. One failing batch is reported and the rest go on.
 * Safe to run from several schedulers at once: every step is idempotent.
 */
export async function sweepAbandonedBatches(deps: SweepDeps, options: SweepOptions): Promise<SweepCounts> {
  const { now } = options;
  const cutoff = now.getTime() - options.stagingTtlHours * 3600_000 - SWEEP_GRACE_MS;
  // Deletes first: one finished here leaves its batch (if still open) for the loop below to close as usual.
  const counts: SweepCounts = {
    examined: 0,
    deletedBatches: 0,
    closedCommitted: 0,
    deletedUploads: 0,
    deletedCopies: 0,
    failedBatches: 0,
    ...(await finishPendingDeletes(deps, now)),
  };

  for (const plan of await deps.storage.records.list("batches", "")) {
    const batchId = plan.name.replace(/\.json$/, "");
    const createdAt = Date.parse(plan.metadata.createdat ?? "") || plan.createdOn?.getTime();
    const owner = plan.metadata.owner;
    if (!BATCH_ID_PATTERN.test(batchId) || !owner || createdAt === undefined || createdAt >= cutoff) continue;
    counts.examined += 1;
    try {
      const outcome = await sweepBatch(deps.storage, batchId, owner);
      if (outcome.committed) counts.closedCommitted += 1;
      else counts.deletedBatches += 1;
      counts.deletedUploads += outcome.deletedUploads;
      counts.deletedCopies += outcome.deletedCopies;
    } catch (error) {
      counts.failedBatches += 1;
      deps.logger.warn("batch not swept; the next run tries again", { batchId, error: String(error) });
    }
  }
  deps.logger.info("batches swept", { stagingTtlHours: options.stagingTtlHours, ...counts });
  return counts;
}
