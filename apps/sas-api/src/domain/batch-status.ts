import type { BatchStatus } from "@study-uploader/shared";
import { assertStillStaging, findOwnBatch, stagingDeadline, type BatchDeps } from "./batches.js";
import { notFound } from "./domain-error.js";
import { studyIdForBatch } from "./ids.js";
import { isDeletedStudy, storedStudySchema, studyRecordName } from "./records.js";

/**
 * What storage holds for a batch: each file's upload (one existence check per file not removed), its staging
 * deadline and its study once committed. A draft reopened after a reload asks this to know what never needs
 * sending again. A batch whose study was deleted, one discarded, or one past its deadline and not committed looks
 * like a missing one.
 */
export async function batchStatus(deps: BatchDeps, owner: string, batchId: string): Promise<BatchStatus> {
  const studyId = studyIdForBatch(batchId);
  const [stored, study] = await Promise.all([
    // A discard that lost a race with the commit marked the plan of what is now a study: that still answers.
    findOwnBatch(deps, owner, batchId, { withDiscarded: true }),
    deps.storage.records.read("studies", studyRecordName(owner, studyId), storedStudySchema),
  ]);
  if (!stored || (study && isDeletedStudy(study)) || (!study && stored.value.discarded)) throw notFound("Batch");
  const plan = stored.value;
  if (!study) assertStillStaging(deps.config, plan, deps.now());
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
