import type { AddBatchFilesRequest, AddBatchFilesResponse } from "@study-uploader/shared";
import {
  assertBatchLimits,
  assertStillStaging,
  assertUploadWindow,
  batchCommitted,
  commitInProgress,
  findOwnBatch,
  isCommitted,
  liveFiles,
  planMetadata,
  plannedFile,
  uploadExpiry,
  uploadTargets,
  type BatchDeps,
} from "./batches.js";
import { DomainError, notFound } from "./domain-error.js";
import { batchPlanName, type BatchPlan } from "./records.js";
import { thumbnailUploadName } from "./thumbnails.js";

/** Edits of one plan racing from other instances are rare; each lost race costs one more read and write. */
const EDIT_ATTEMPTS = 5;

/**
 * Removed files keep their index (indexes are never reused), so a plan grows with every add; this bounds it
 * (and the sweep's work) however often a researcher adds and removes.
 */
const INDEXES_PER_ALLOWED_FILE = 4;

/**
 * Reads the plan, applies `edit` (null: nothing to write) and writes it back only if no one wrote in between
 * (If-Match), trying again on a lost race. Storage refuses the write while a commit holds the plan's lease. A
 * commit that took and released the lease between the read and the write leaves the plan's ETag unchanged, so
 * the study is looked for again after writing. Returns the plan as it now stands.
 */
async function editPlan(
  deps: BatchDeps,
  owner: string,
  batchId: string,
  edit: (plan: BatchPlan) => BatchPlan | null,
): Promise<BatchPlan> {
  for (let attempt = 1; attempt <= EDIT_ATTEMPTS; attempt++) {
    const [stored, committed] = await Promise.all([
      findOwnBatch(deps, owner, batchId),
      isCommitted(deps, owner, batchId),
    ]);
    if (!stored) throw notFound("Batch");
    if (committed) throw batchCommitted();
    assertStillStaging(deps.config, stored.value, deps.now());
    const edited = edit(stored.value);
    if (!edited) return stored.value;
    if (stored.leased) throw commitInProgress();
    const written = await deps.storage.records.replace(
      "batches",
      batchPlanName(batchId),
      edited,
      stored.etag,
      planMetadata(edited),
    );
    if (written === "leased") throw commitInProgress();
    if (written === "replaced") {
      if (await isCommitted(deps, owner, batchId)) throw batchCommitted();
      return edited;
    }
  }
  throw new DomainError(
    "conflict",
    "commit_in_progress",
    "This batch is being changed by several requests at once; try again in a moment",
    { retryAfterSeconds: 1 },
  );
}

/** More files for a batch still being uploaded: they get the next indexes and upload URLs like a refresh's. */
export async function addBatchFiles(
  deps: BatchDeps,
  owner: string,
  batchId: string,
  request: AddBatchFilesRequest,
): Promise<AddBatchFilesResponse> {
  const maxIndexes = deps.config.limits.maxFiles * INDEXES_PER_ALLOWED_FILE;
  const plan = await editPlan(deps, owner, batchId, (current) => {
    assertUploadWindow(deps.config, current, deps.now());
    assertBatchLimits(deps.config, [...liveFiles(current), ...request.files]);
    const first = current.files.length;
    if (first + request.files.length > maxIndexes) {
      throw new DomainError(
        "too-large",
        "payload_too_large",
        `This batch has had ${first} files (removed ones included) and may have at most ${maxIndexes}; ` +
          "start a new batch",
      );
    }
    const added = request.files.map((file, i) => plannedFile(deps.config, batchId, first + i, file));
    return { ...current, files: [...current.files, ...added] };
  });
  // The written plan ends with this request's files, whichever attempt won.
  const indexes = plan.files.slice(-request.files.length).map((file) => file.index);
  const expiresOn = uploadExpiry(deps, plan);
  return { expiresAt: expiresOn.toISOString(), files: await uploadTargets(deps, plan, indexes, expiresOn) };
}

/**
 * Takes a file out of a batch before the commit: no commit may name it, refresh hands out no URL for it, and
 * its upload goes now (snapshots and uncommitted blocks included), not with the sweep. Removing it again is harmless and deletes again
 * whatever an upload URL still valid wrote since.
 */
export async function removeBatchFile(deps: BatchDeps, owner: string, batchId: string, index: number): Promise<void> {
  const plan = await editPlan(deps, owner, batchId, (current) => {
    const file = current.files[index];
    if (!file) {
      throw new DomainError(
        "not-found",
        "not_found",
        `This batch has no file at index ${index} (its indexes are 0 to ${current.files.length - 1})`,
      );
    }
    if (file.removed) return null;
    return { ...current, files: current.files.map((f) => (f.index === index ? { ...f, removed: true as const } : f)) };
  });
  const file = plan.files[index]!;
  await deps.storage.images.delete(file.blobName, { blocks: file.blocks === true });
  await deps.storage.images.delete(thumbnailUploadName(file));
}

/**
 * Drops a batch that will never be committed (a discarded draft). Its plan is marked first (If-Match, refused
 * while a commit holds it), so from then on no route finds the batch and no commit can lease it; then its
 * uploads go. The marked plan stays for the sweep, which deletes it at the deadline together with whatever an
 * upload URL still valid wrote since, or what a crash left. A repeat finds no batch: 404.
 */
export async function discardBatch(deps: BatchDeps, owner: string, batchId: string): Promise<void> {
  await editPlan(deps, owner, batchId, (current) => ({ ...current, discarded: true }));
  await deps.storage.images.deleteAll(`${batchId}/`);
}
