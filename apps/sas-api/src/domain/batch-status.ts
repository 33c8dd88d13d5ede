import { parseBlockId, type BatchStatus } from "@study-uploader/shared";
import { assertStillStaging, findOwnBatch, stagingDeadline, type BatchDeps } from "./batches.js";
import { notFound } from "./domain-error.js";
import { studyIdForBatch } from "./ids.js";
import { isDeletedStudy, storedStudySchema, studyRecordName, type BatchPlan } from "./records.js";

type FileUpload = Pick<BatchStatus["files"][number], "uploaded" | "stagedBlocks">;

/**
 * What storage holds of one file, in one request: whether it exists, and for a file sent in blocks and not yet
 * uploaded, the blocks already there (ids this app did not make are left out), so a reloaded page sends only
 * the others.
 */
async function fileUpload(deps: BatchDeps, file: BatchPlan["files"][number]): Promise<FileUpload> {
  if (file.removed) return { uploaded: false };
  if (!file.blocks) return { uploaded: await deps.storage.images.exists(file.blobName) };
  // Storage answers for a name that holds only uncommitted blocks too; 404 only when it holds nothing.
  const lists = await deps.storage.images.blockLists(file.blobName, "all");
  if (lists && lists.committed.length > 0) return { uploaded: true };
  const stagedBlocks = (lists?.uncommitted ?? []).flatMap(({ id, size }) => {
    const named = parseBlockId(id);
    return named && size > 0 ? [{ ...named, size }] : [];
  });
  return { uploaded: false, stagedBlocks };
}

/**
 * What storage holds for a batch: each file's upload (one request per file not removed, run at once), its staging
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
  const uploads = await Promise.all(plan.files.map((file) => fileUpload(deps, file)));
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
      ...uploads[i]!,
    })),
  };
}
