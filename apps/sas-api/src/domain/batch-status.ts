import type { BatchStatus } from "@study-uploader/shared";
import { notFound } from "../errors.js";
import {
  assertStillStaging,
  batchCommitted,
  commitInProgress,
  findOwnBatch,
  isCommitted,
  stagingDeadline,
  type BatchDeps,
} from "./batches.js";
import { studyIdForBatch } from "./ids.js";
import { batchPlanName, isDeletedStudy, storedStudySchema, studyRecordName } from "./records.js";

/**
 * What storage holds for a batch: each file's upload (one existence check per file not removed), its staging
 * deadline and its study once committed. A draft reopened after a reload asks this to know what never needs
 * sending again. A batch whose study was deleted, or past its deadline and not committed, looks like a missing one.
 */
export async function batchStatus(deps: BatchDeps, owner: string, batchId: string): Promise<BatchStatus> {
  const studyId = studyIdForBatch(batchId);
  const [stored, study] = await Promise.all([
    findOwnBatch(deps, owner, batchId),
    deps.storage.records.read("studies", studyRecordName(owner, studyId), storedStudySchema),
  ]);
  if (!stored || (study && isDeletedStudy(study))) throw notFound("Batch");
  const plan = stored.value;
  if (!study) assertStillStaging(deps.config, plan);
  const uploaded = await Promise.all(
    plan.files.map((file) => (file.removed ? Promise.resolve(false) : deps.storage.images.exists(file.blobName))),
  );
  return {
    batchId,
    stagingExpiresAt: new Date(stagingDeadline(deps.config, plan)).toISOString(),
    studyId: study ? studyId : null,
    files: plan.files.map((file, i) => ({
      index: file.index,
      name: file.name,
      size: file.size,
      type: file.type,
      removed: file.removed === true,
      uploaded: uploaded[i]!,
    })),
  };
}

/**
 * Drops a batch that will never be committed (a discarded draft): its uploads, then its plan, so a process that
 * dies in between leaves the plan for the sweep to finish with. Not while a commit holds the batch, and not once
 * it is a study. A repeat finds no plan: 404.
 */
export async function discardBatch(deps: BatchDeps, owner: string, batchId: string): Promise<void> {
  const stored = await findOwnBatch(deps, owner, batchId);
  if (!stored) throw notFound("Batch");
  if (stored.leased) throw commitInProgress();
  if (await isCommitted(deps, owner, batchId)) throw batchCommitted();
  await deps.storage.images.deleteAll(`${batchId}/`);
  const deleted = await deps.storage.records.deleteUnleased("batches", batchPlanName(batchId));
  if (!deleted) throw commitInProgress();
}
