import { BATCH_ID_PATTERN } from "@study-uploader/shared";
import type { Logger } from "../logger.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import { studyIdForBatch } from "./ids.js";
import { studyRecordName } from "./records.js";

export interface SweepDeps {
  storage: BlobStorage;
  logger: Logger;
}

export interface SweepOptions {
  /** Batches created longer ago than this and never committed are deleted (use STAGING_TTL_HOURS). */
  olderThanHours: number;
  now?: Date;
}

export interface SweepCounts {
  /** Batch plans older than the cut-off. */
  examined: number;
  /** Abandoned batches removed (plan and images). */
  deletedBatches: number;
  deletedImages: number;
  /** Old batches that became studies: their images are the study's, so they stay. */
  committedKept: number;
}

/**
 * Deletes batches that were never committed: their staged images under `{batchId}/` and then their plan.
 * Commits and refreshes refuse a batch once it is older than the staging TTL, so a batch old enough to be
 * swept can no longer become a study while its blobs are being deleted. A committed batch keeps its plan too,
 * so a repeated commit still answers with its study. Safe to run from several schedulers at once: deletes are
 * idempotent, and the plan goes last so an interrupted sweep is finished by the next one.
 */
export async function sweepAbandonedBatches(deps: SweepDeps, options: SweepOptions): Promise<SweepCounts> {
  const cutoff = (options.now ?? new Date()).getTime() - options.olderThanHours * 3600_000;
  const counts: SweepCounts = { examined: 0, deletedBatches: 0, deletedImages: 0, committedKept: 0 };

  for (const plan of await deps.storage.records.list("batches", "")) {
    const batchId = plan.name.replace(/\.json$/, "");
    const createdAt = Date.parse(plan.metadata.createdat ?? "") || plan.createdOn?.getTime();
    const owner = plan.metadata.owner;
    if (!BATCH_ID_PATTERN.test(batchId) || !owner || createdAt === undefined || createdAt >= cutoff) continue;
    counts.examined += 1;

    if (await deps.storage.records.exists("studies", studyRecordName(owner, studyIdForBatch(batchId)))) {
      counts.committedKept += 1;
      continue;
    }
    const images = await deps.storage.images.list(`${batchId}/`);
    await Promise.all(images.map((name) => deps.storage.images.delete(name)));
    await deps.storage.records.delete("batches", plan.name);
    counts.deletedBatches += 1;
    counts.deletedImages += images.length;
  }
  deps.logger.info("abandoned batches swept", { olderThanHours: options.olderThanHours, ...counts });
  return counts;
}
