import type {
  CreateBatchRequest,
  CreateBatchResponse,
  RefreshBatchResponse,
  UploadTarget,
} from "@study-uploader/shared";
import type { ApiConfig } from "../config.js";
import { ApiProblem, notFound } from "../errors.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { StoredRecord } from "../storage/record-store.js";
import { newBatchId, studyIdForBatch } from "./ids.js";
import { batchPlanName, batchPlanSchema, imageBlobName, studyRecordName, type BatchPlan } from "./records.js";

export interface BatchDeps {
  storage: BlobStorage;
  config: ApiConfig;
}

function uploadTargets(deps: BatchDeps, plan: BatchPlan, indexes: number[], expiresOn: Date): Promise<UploadTarget[]> {
  return Promise.all(
    indexes.map(async (index) => {
      const file = plan.files[index]!;
      return {
        index,
        uploadUrl: await deps.storage.sas.uploadUrl(file.blobName, expiresOn),
        // One Put Blob per file: storage then computes and keeps the MD5 the commit compares.
        headers: { "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": file.type },
      };
    }),
  );
}

const expiryFromNow = (deps: BatchDeps) => new Date(Date.now() + deps.config.limits.sasTtlSeconds * 1000);

/**
 * How long after a batch's staging deadline the sweep waits before touching it. A commit may start until the
 * deadline and must finish its record within half of this (see `assertCommitInTime`), so a sweep never judges a
 * batch "not committed" while a commit could still write its study, even with minutes of clock skew.
 */
export const SWEEP_GRACE_MS = 30 * 60_000;

/** Until when a batch can be refreshed and committed. */
export const stagingDeadline = (config: StagingConfig, plan: Pick<BatchPlan, "createdAt">) =>
  Date.parse(plan.createdAt) + config.stagingTtlHours * 3600_000;

type StagingConfig = Pick<ApiConfig, "stagingTtlHours">;

/** A refresh this close to the deadline would hand out URLs too short-lived to finish an upload with. */
const MIN_UPLOAD_WINDOW_MS = 60_000;

export async function createBatch(
  deps: BatchDeps,
  owner: string,
  request: CreateBatchRequest,
): Promise<CreateBatchResponse> {
  const totalBytes = request.files.reduce((sum, file) => sum + file.size, 0);
  if (totalBytes > deps.config.maxBatchBytes) {
    throw new ApiProblem(
      413,
      "payload_too_large",
      `The files add up to ${totalBytes} bytes; a batch may hold at most ${deps.config.maxBatchBytes} bytes`,
    );
  }
  const batchId = newBatchId();
  const plan: BatchPlan = {
    version: 1,
    batchId,
    owner,
    createdAt: new Date().toISOString(),
    files: request.files.map((file, index) => ({ index, ...file, blobName: imageBlobName(batchId, index) })),
  };
  // Stored in Azure, not in memory: any API instance can refresh or commit this batch.
  await deps.storage.records.create("batches", batchPlanName(batchId), plan, { owner, createdat: plan.createdAt });
  const expiresOn = expiryFromNow(deps);
  return {
    batchId,
    expiresAt: expiresOn.toISOString(),
    files: await uploadTargets(
      deps,
      plan,
      plan.files.map((f) => f.index),
      expiresOn,
    ),
  };
}

/** The batch plan as stored, if it exists and belongs to this owner: a foreign batch looks like a missing one. */
export async function findOwnBatch(
  deps: BatchDeps,
  owner: string,
  batchId: string,
): Promise<StoredRecord<BatchPlan> | null> {
  const stored = await deps.storage.records.readStored("batches", batchPlanName(batchId), batchPlanSchema);
  return stored?.value.owner === owner ? stored : null;
}

/**
 * A batch can be uploaded to and committed only for `stagingTtlHours`; after that the sweep may delete its
 * blobs, so a late commit must not race it. An expired batch looks like a missing one.
 */
export function assertStillStaging(config: StagingConfig, plan: BatchPlan, now = Date.now()): void {
  if (now > stagingDeadline(config, plan)) throw notFound("Batch");
}

/** The last moment a commit that started in time may still write its study; past it, the sweep may be near. */
export function assertCommitInTime(config: StagingConfig, plan: BatchPlan, now = Date.now()): void {
  if (now > stagingDeadline(config, plan) + SWEEP_GRACE_MS / 2) {
    throw new ApiProblem(404, "not_found", "The batch expired while it was being committed; start again");
  }
}

export const commitInProgress = () =>
  new ApiProblem(
    409,
    "commit_in_progress",
    "This batch is being committed right now; try again in a moment",
    undefined,
    {
      "Retry-After": "2",
    },
  );

export async function refreshBatch(
  deps: BatchDeps,
  owner: string,
  batchId: string,
  requested: number[] | undefined,
): Promise<RefreshBatchResponse> {
  const stored = await findOwnBatch(deps, owner, batchId);
  if (!stored) throw notFound("Batch");
  const plan = stored.value;
  // Upload URLs only while uploads can still matter: not during a commit, not after it, not past the deadline.
  if (stored.leased) throw commitInProgress();
  if (await deps.storage.records.exists("studies", studyRecordName(owner, studyIdForBatch(batchId)))) {
    throw new ApiProblem(409, "batch_committed", "This batch is already committed as a study; nothing left to upload");
  }
  const deadline = stagingDeadline(deps.config, plan);
  if (deadline - Date.now() < MIN_UPLOAD_WINDOW_MS) throw notFound("Batch");

  let indexes: number[];
  if (requested) {
    const unknown = requested.filter((i) => i >= plan.files.length);
    if (unknown.length > 0) {
      throw new ApiProblem(
        422,
        "invalid_request",
        `This batch has ${plan.files.length} files; no file at index ${unknown.join(", ")}`,
        unknown.map((index) => ({ index, problem: "no such file in this batch" })),
      );
    }
    indexes = [...new Set(requested)].sort((a, b) => a - b);
  } else {
    // Without a list, renew exactly the files that have not arrived yet.
    const arrived = await Promise.all(plan.files.map((f) => deps.storage.images.exists(f.blobName)));
    indexes = plan.files.filter((_, i) => !arrived[i]).map((f) => f.index);
  }
  // Never past the deadline: a URL that outlived its plan could leave blobs the sweep has already passed by.
  const expiresOn = new Date(Math.min(expiryFromNow(deps).getTime(), deadline));
  return { expiresAt: expiresOn.toISOString(), files: await uploadTargets(deps, plan, indexes, expiresOn) };
}
