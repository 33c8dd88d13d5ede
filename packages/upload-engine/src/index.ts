export { AdaptiveConcurrency, startingConcurrency, type AdaptiveConcurrencyOptions } from "./adaptive-concurrency.js";
export type { BlobTransport, PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
export {
  createChunkedDigest,
  createChunkedMd5,
  base64FromBytes,
  MD5_CHUNK_BYTES,
  type DigestHasher,
  type FileDigest,
  type Md5Hasher,
} from "./md5.js";
export {
  createWorkerDigest,
  createWorkerMd5,
  type Md5WorkerLike,
  type WorkerDigestOptions,
  type WorkerMd5Options,
} from "./md5-worker-client.js";
export { createFetchProbe } from "./fetch-probe.js";
export type { NetworkProbe } from "./network-watch.js";
export { createMd5MessageHandler, type Md5WorkerRequest, type Md5WorkerResponse } from "./md5-worker-protocol.js";
export { keptBytesOf, sentBytesOf } from "./file-steps.js";
export { PoolGoodput, type GoodputWindow } from "./pool-goodput.js";
export { SerialQueue } from "./serial-queue.js";
export { nextFrameScheduler, type NotifyScheduler } from "./notify-scheduler.js";
export {
  DEFAULT_RETRY_OPTIONS,
  backoffDelayMs,
  classifyPutOutcome,
  type AttemptVerdict,
  type RetryOptions,
} from "./retry-policy.js";
export { withStallTimeout } from "./stall-timeout.js";
export {
  createStudySession,
  keptUpload,
  type BlockSettings,
  type KeptUpload,
  type SessionFile,
  type StudyDetails,
  type StudySession,
  type StudySessionDeps,
  type CommitOutcome,
  type CommitRequest,
  type CommitState,
  type FileEntry,
  type FileState,
  type RestoredFile,
  type UploadSnapshot,
} from "./study-session.js";
export { TransferRateMeter, type TransferSample } from "./transfer-rate.js";
export {
  HTTP1_CONNECTIONS_PER_ORIGIN,
  HTTP2_UPLOAD_CONCURRENCY,
  readUploadProtocol,
  uploadConcurrency,
  type ResourceTimingSource,
  type UploadConcurrencyInput,
} from "./upload-concurrency.js";
export { UploadQueue, cancellationError, type QueueTask } from "./upload-queue.js";
export type { UploadTargets } from "./upload-targets.js";
export { createXhrPutBlob } from "./xhr-put-blob.js";
export { isReused } from "./stored-reuse.js";
export { restoredBlocks } from "./restored-blocks.js";
