import { sleep, type CommitStudyRequest, type FileProblem } from "@study-uploader/shared";
import type { StoredRecord } from "../storage/record-store.js";
import { assertCommitInTime, assertStillStaging, commitInProgress, findOwnBatch, type BatchDeps } from "./batches.js";
import { DomainError, notFound } from "./domain-error.js";
import { studyIdForBatch } from "./ids.js";
import {
  batchPlanName,
  isDeletedStudy,
  storedStudySchema,
  studyRecordName,
  type BatchPlan,
  type CommittedStudyRecord,
  type StudyRecord,
} from "./records.js";
import { indexStudy } from "./study-index.js";
import { recordStoredImages } from "./stored-images.js";
import { copyVerified } from "./copy-verified.js";
import { commitThumbnails, thumbnailField, type ThumbnailDeps } from "./thumbnails.js";
import { verifyUploads, type Verified, type VerifyDeps } from "./verify-uploads.js";

/** Storage allows 15–60 s; a commit takes well under a second, and a crashed one frees its batch within this. */
const COMMIT_LEASE_SECONDS = 30;
/**
 * A commit that copies large files block by block can take minutes: it renews its lease this often, so the lease
 * never lapses while it runs (three tries before it would).
 */
const COMMIT_LEASE_RENEW_MS = (COMMIT_LEASE_SECONDS * 1000) / 4;
/** How long a commit waits for another commit of the same batch (usually its own retry) before answering 409. */
const COMMIT_LEASE_WAIT_MS = 10_000;
/** Polls start quick (a racing commit is usually done in tens of milliseconds) and back off. */
const COMMIT_LEASE_POLL_MS = { first: 25, max: 250 };

/** Elements name files of the batch that were not removed, each at most once; files left out are not in the study. */
function elementProblems(plan: BatchPlan, request: CommitStudyRequest): FileProblem[] {
  const problems: FileProblem[] = [];
  const seen = new Set<number>();
  for (const element of request.elements) {
    const file = plan.files[element.index];
    if (!file) problems.push({ index: element.index, problem: "no such file in this batch" });
    else if (file.removed) problems.push({ index: element.index, problem: "was removed from this batch" });
    else if (seen.has(element.index)) problems.push({ index: element.index, problem: "listed more than once" });
    seen.add(element.index);
  }
  return problems;
}

function verificationFailed(plan: BatchPlan, failed: FileProblem[]): DomainError {
  const names = failed.map((f) => plan.files[f.index]!.name).join(", ");
  return new DomainError(
    "refused-files",
    "verification_failed",
    `Not committed: ${failed.length} file(s) failed verification (${names})`,
    { files: failed },
  );
}

export type CommitOutcome = { created: boolean; record: StudyRecord };

const studyDeleted = () =>
  new DomainError("conflict", "batch_committed", "This batch was committed as a study that has since been deleted");

const batchChangedDuringCommit = () =>
  new DomainError(
    "conflict",
    "commit_in_progress",
    "A file was added to or removed from this batch just as it was committed; commit again",
    { retryAfterSeconds: 1 },
  );

/** Holds the batch's lease while `commit` runs, waiting a little for another commit of the same batch. */
async function underBatchLease<T>(
  deps: BatchDeps,
  stored: StoredRecord<BatchPlan>,
  commit: () => Promise<T>,
): Promise<T> {
  const waitUntil = deps.now() + COMMIT_LEASE_WAIT_MS;
  const name = batchPlanName(stored.value.batchId);
  for (let pollMs = COMMIT_LEASE_POLL_MS.first; ; pollMs = Math.min(pollMs * 2, COMMIT_LEASE_POLL_MS.max)) {
    // Only on the plan the elements were checked against: a file added or removed since makes us start over.
    const lease = await deps.storage.records.lease("batches", name, COMMIT_LEASE_SECONDS, stored.etag);
    if (lease === "missing") throw notFound("Batch");
    if (lease === "changed") throw batchChangedDuringCommit();
    if (lease !== "held") {
      // A failed renewal is tried again at the next tick; should the lease lapse, the study is still created once
      // (its record is a conditional create) and each copy is of the version it verified.
      const keeper = setInterval(() => void lease.renew(), COMMIT_LEASE_RENEW_MS);
      try {
        return await commit();
      } finally {
        clearInterval(keeper);
        // Awaited, so that once a commit has answered, its batch reads as committed, not as being committed.
        await lease.release();
      }
    }
    if (deps.now() >= waitUntil) throw commitInProgress();
    await sleep(pollMs);
  }
}

/**
 * Commits a batch as a study only after every image is verified in storage, and shows the study only copies no
 * upload URL can reach: once committed, its images never change or vanish, whatever requests race.
 *
 * Commits of one batch run one at a time under a lease on its plan (refresh sees it and hands out no upload URLs
 * meanwhile). The study id follows from the batch and the record is a conditional create, so retries and racing
 * commits yield exactly one study. The lease is not what keeps images safe — the copies are: each copies exactly
 * the upload version it verified (If-Match) to a name no one else writes (If-None-Match).
 */
export async function commitStudy(
  deps: VerifyDeps & ThumbnailDeps,
  owner: string,
  request: CommitStudyRequest,
): Promise<CommitOutcome> {
  const recordName = studyRecordName(owner, studyIdForBatch(request.batchId));
  const committed = async () => {
    const existing = await deps.storage.records.read("studies", recordName, storedStudySchema);
    // Its owner deleted the study: what is left of it keeps this batch from ever becoming a study again.
    if (existing && isDeletedStudy(existing)) throw studyDeleted();
    if (existing) await indexStudy(deps.storage, existing);
    return existing;
  };

  // Both at once: a committed study answers even after the sweep has removed its batch's plan.
  const [existing, stored] = await Promise.all([committed(), findOwnBatch(deps, owner, request.batchId)]);
  if (existing) return { created: false, record: existing };
  if (!stored) throw notFound("Batch");
  const plan = stored.value;
  assertStillStaging(deps.config, plan, deps.now());
  const mismatched = elementProblems(plan, request);
  if (mismatched.length > 0) {
    throw new DomainError("refused-files", "elements_mismatch", "The study's elements do not match the batch's files", {
      files: mismatched,
    });
  }

  return underBatchLease(deps, stored, async () => {
    // The commit we waited for may have been this one's own earlier attempt. Checked while the uploads are read:
    // once a study exists its images are copies, so what verification does to the uploads no longer matters.
    // The study keeps the request's order.
    const elements = request.elements;
    const [winner, verdicts] = await Promise.all([committed(), verifyUploads(deps, plan, elements)]);
    if (winner) return { created: false, record: winner };
    const failed = verdicts.flatMap((v) => (v.ok ? [] : [{ index: v.index, problem: v.problem }]));
    if (failed.length > 0) throw verificationFailed(plan, failed);

    const verified = verdicts.filter((v): v is Verified => v.ok);
    const studyId = studyIdForBatch(plan.batchId);
    // Beside the images: a thumbnail is only kept, never needed, so nothing about one can fail the commit (one
    // copied for a commit the images then fail is left to the sweep, like an image copy of that commit).
    const [{ names, changed }, thumbnails] = await Promise.all([
      copyVerified(deps, studyId, verified),
      commitThumbnails(
        deps,
        studyId,
        verified.map((v) => v.file),
      ),
    ]);
    if (changed.length > 0) throw verificationFailed(plan, changed);

    assertCommitInTime(deps.config, plan, deps.now());
    const record: CommittedStudyRecord = {
      version: 2,
      id: studyId,
      batchId: plan.batchId,
      owner,
      title: request.title.trim(),
      description: (request.description ?? "").trim(),
      createdAt: new Date(deps.now()).toISOString(),
      elements: elements.map((e, i) => {
        const { file, width, height } = verified[i]!;
        return {
          index: i,
          fileIndex: e.index,
          label: e.label.trim(),
          name: file.name,
          size: file.size,
          type: file.type,
          md5: e.md5,
          width,
          height,
          blobName: names[i]!,
          ...thumbnailField(thumbnails[i]),
        };
      }),
    };
    const created = await deps.storage.records.create("studies", recordName, record, {
      createdat: record.createdAt,
      title: encodeURIComponent(record.title),
      elementcount: String(record.elements.length),
    });
    if (created) {
      await Promise.all([indexStudy(deps.storage, record), recordStoredImages(deps, plan, record)]);
      return { created: true, record };
    }
    // A commit that did not wait for the lease (it lapsed) wrote first: theirs is the study.
    const other = await committed();
    if (!other) throw new Error(`study record ${recordName} vanished after a conflicting create`);
    return { created: false, record: other };
  });
}
