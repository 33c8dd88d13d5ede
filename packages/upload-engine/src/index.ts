export type { BlobTransport, PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
export { createChunkedMd5, base64FromBytes, MD5_CHUNK_BYTES, type Md5Hasher } from "./md5.js";
export {
  animationFrameScheduler,
  createProgressBatcher,
  type FrameScheduler,
  type ProgressBatcher,
} from "./progress-batcher.js";
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
  type SessionFile,
  type StudyDetails,
  type StudySession,
  type StudySessionDeps,
  type StudySessionEvents,
  type CommitOutcome,
  type CommitRequest,
} from "./study-session.js";
export { TransferRateMeter, type TransferSample } from "./transfer-rate.js";
export type { FileUploadState } from "./upload-file.js";
export { UploadQueue, cancellationError, type QueueTask } from "./upload-queue.js";
export type { UploadTargets } from "./upload-targets.js";
export { createXhrPutBlob } from "./xhr-put-blob.js";
