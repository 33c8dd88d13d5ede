import {
  DEFAULT_BLOCK_THRESHOLD_BYTES,
  usesBlocks,
  type CreateBatchRequest,
  type CreateBatchResponse,
  type FileSpec,
  type RefreshBatchResponse,
  type UploadTarget,
} from "@study-uploader/shared";
import type { ApiConfig } from "../config.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { StoredRecord } from "../storage/record-store.js";
import { DomainError, notFound } from "./domain-error.js";
import { newBatchId, studyIdForBatch } from "./ids.js";
import { batchPlanName, batchPlanSchema, imageBlobName, studyRecordName, type BatchPlan } from "./records.js";
import { storedMd5sOf } from "./stored-images.js";

export interface BatchDeps {
  storage: BlobStorage;
  config: ApiConfig;
  /** The app's clock, in ms: deadlines, expiries and timestamps all read it. */
  now: () => number;
}

type PlannedFile = BatchPlan["files"][number];

/**
 * A file's entry in the plan. Whether it goes in blocks is decided here, once: the commit copies it the way it
 * was meant to be sent even if the threshold changes meanwhile.
 */
export function plannedFile(config: Pick<ApiConfig, "limits">, batchId: string, index: number, file: FileSpec) {
  const threshold = config.limits.blockThresholdBytes ?? DEFAULT_BLOCK_THRESHOLD_BYTES;
  const planned: PlannedFile = { index, ...file, blobName: imageBlobName(batchId, index) };
  return usesBlocks(file.size, threshold) ? { ...planned, blocks: true as const } : planned;
}

async function uploadTarget(
  deps: BatchDeps,
  file: PlannedFile,
  expiresOn: Date,
  storedMd5s: string[] | undefined,
): Promise<UploadTarget> {
  const mode = file.blocks ? "blocks" : "single";
  return {
    index: file.index,
    uploadUrl: await deps.storage.sas.uploadUrl(file.blobName, expiresOn, mode),
    headers: file.blocks
      ? // For Put Block List; each block carries its own Content-MD5, and the commit checks each block's MD5.
        { "x-ms-blob-content-type": file.type }
      : // One Put Blob per file: storage then computes and keeps the MD5 the commit compares.
        { "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": file.type },
    mode,
    ...(storedMd5s?.length ? { storedMd5s } : {}),
  };
}

/**
 * Upload links for these files, each with the MD5s of images of its size the owner already has (the browser
 * sends none of those again). `stored` may be looked up beside other work: creating a batch writes its plan meanwhile.
 */
export async function uploadTargets(
  deps: BatchDeps,
  plan: BatchPlan,
  indexes: number[],
  expiresOn: Date,
  stored: Promise<Map<number, string[]>> = storedMd5sOf(deps, plan, indexes),
): Promise<UploadTarget[]> {
  const bySize = await stored;
  return Promise.all(
    indexes.map((index) => {
      const file = plan.files[index]!;
      return uploadTarget(deps, file, expiresOn, bySize.get(file.size));
    }),
  );
}

const expiryFromNow = (deps: BatchDeps) => new Date(deps.now() + deps.config.limits.sasTtlSeconds * 1000);

/** When new upload URLs expire: a SAS lifetime from now, but never past the deadline, where the sweep may come. */
export function uploadExpiry(deps: BatchDeps, plan: BatchPlan): Date {
  return new Date(Math.min(expiryFromNow(deps).getTime(), stagingDeadline(deps.config, plan)));
}

/** The files a commit may still name: those not taken out. */
export const liveFiles = (plan: BatchPlan) => plan.files.filter((file) => !file.removed);

/** A batch's files (those not removed) must fit the per-study count and the per-batch bytes. */
export function assertBatchLimits(config: ApiConfig, files: readonly { size: number }[]): void {
  if (files.length > config.limits.maxFiles) {
    throw new DomainError(
      "too-large",
      "payload_too_large",
      `That makes ${files.length} files; a batch may hold at most ${config.limits.maxFiles} files`,
    );
  }
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  if (totalBytes > config.maxBatchBytes) {
    throw new DomainError(
      "too-large",
      "payload_too_large",
      `The files add up to ${totalBytes} bytes; a batch may hold at most ${config.maxBatchBytes} bytes`,
    );
  }
}

/** What a plan carries beside its JSON: the sweep lists batches by it without reading them. */
export const planMetadata = (plan: BatchPlan) => ({ owner: plan.owner, createdat: plan.createdAt });

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
  assertBatchLimits(deps.config, request.files);
  const batchId = newBatchId();
  const plan: BatchPlan = {
    version: 1,
    batchId,
    owner,
    createdAt: new Date(deps.now()).toISOString(),
    files: request.files.map((file, index) => plannedFile(deps.config, batchId, index, file)),
  };
  const indexes = plan.files.map((f) => f.index);
  // Looked up while the plan is written: the owner's stored images cost the batch no extra round trip.
  const stored = storedMd5sOf(deps, plan, indexes);
  // Stored in Azure, not in memory: any API instance can refresh or commit this batch.
  await Promise.all([deps.storage.records.create("batches", batchPlanName(batchId), plan, planMetadata(plan)), stored]);
  const expiresOn = expiryFromNow(deps);
  return {
    batchId,
    expiresAt: expiresOn.toISOString(),
    files: await uploadTargets(deps, plan, indexes, expiresOn, stored),
  };
}

/**
 * The batch plan as stored, if it exists and belongs to this owner: a foreign batch looks like a missing one, and
 * so does a discarded one unless the caller asks for it.
 */
export async function findOwnBatch(
  deps: BatchDeps,
  owner: string,
  batchId: string,
  { withDiscarded = false } = {},
): Promise<StoredRecord<BatchPlan> | null> {
  const stored = await deps.storage.records.readStored("batches", batchPlanName(batchId), batchPlanSchema);
  if (stored?.value.owner !== owner) return null;
  return withDiscarded || !stored.value.discarded ? stored : null;
}

/**
 * A batch can be uploaded to and committed only for `stagingTtlHours`; after that the sweep may delete its
 * blobs, so a late commit must not race it. An expired batch looks like a missing one.
 */
export function assertStillStaging(config: StagingConfig, plan: BatchPlan, now: number): void {
  if (now > stagingDeadline(config, plan)) throw notFound("Batch");
}

/** The last moment a commit that started in time may still write its study; past it, the sweep may be near. */
export function assertCommitInTime(config: StagingConfig, plan: BatchPlan, now: number): void {
  if (now > stagingDeadline(config, plan) + SWEEP_GRACE_MS / 2) {
    throw new DomainError("not-found", "not_found", "The batch expired while it was being committed; start again");
  }
}

export const commitInProgress = () =>
  new DomainError("conflict", "commit_in_progress", "This batch is being committed right now; try again in a moment", {
    retryAfterSeconds: 2,
  });

export const batchCommitted = () =>
  new DomainError("conflict", "batch_committed", "This batch is already committed as a study; nothing left to upload");

export const isCommitted = (deps: BatchDeps, owner: string, batchId: string) =>
  deps.storage.records.exists("studies", studyRecordName(owner, studyIdForBatch(batchId)));

/** New upload URLs only with time left to use them; a batch this close to its deadline looks like a missing one. */
export function assertUploadWindow(config: StagingConfig, plan: BatchPlan, now: number): void {
  if (stagingDeadline(config, plan) - now < MIN_UPLOAD_WINDOW_MS) throw notFound("Batch");
}

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
  if (await isCommitted(deps, owner, batchId)) throw batchCommitted();
  assertUploadWindow(deps.config, plan, deps.now());

  let indexes: number[];
  if (requested) {
    const unknown = requested.filter((i) => i >= plan.files.length);
    const removed = requested.filter((i) => plan.files[i]?.removed);
    if (unknown.length > 0 || removed.length > 0) {
      const problems = [
        ...unknown.map((index) => ({ index, problem: "no such file in this batch" })),
        ...removed.map((index) => ({ index, problem: "was removed from this batch" })),
      ];
      throw new DomainError(
        "refused-files",
        "invalid_request",
        `No upload link for index ${problems.map((p) => p.index).join(", ")}: ` +
          `this batch has ${plan.files.length} files, and a removed file cannot be uploaded`,
        { files: problems },
      );
    }
    indexes = [...new Set(requested)].sort((a, b) => a - b);
  } else {
    // Without a list, renew exactly the files that are still wanted and have not arrived yet.
    const wanted = liveFiles(plan);
    const arrived = await Promise.all(wanted.map((f) => deps.storage.images.exists(f.blobName)));
    indexes = wanted.filter((_, i) => !arrived[i]).map((f) => f.index);
  }
  // Never past the deadline: a URL that outlived its plan could leave blobs the sweep has already passed by.
  const expiresOn = uploadExpiry(deps, plan);
  return { expiresAt: expiresOn.toISOString(), files: await uploadTargets(deps, plan, indexes, expiresOn) };
}
