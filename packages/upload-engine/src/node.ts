// The engine for Node (the command line, soak and fault tests): the same study session with a Node transport,
// no browser globals.
export type { BlobTransport, PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
export { createChunkedMd5, type Md5Hasher } from "./md5.js";
export { nodeMd5 } from "./node-md5.js";
export { createNodePutBlob } from "./node-put-blob.js";
export type { RetryOptions } from "./retry-policy.js";
export {
  createStudySession,
  keptUpload,
  type CommitOutcome,
  type FileEntry,
  type KeptUpload,
  type RestoredFile,
  type SessionFile,
  type StudyDetails,
  type StudySession,
  type UploadSnapshot,
} from "./study-session.js";
export { sentBytesOf } from "./file-steps.js";
export { isReused } from "./stored-reuse.js";
export { restoredBlocks } from "./restored-blocks.js";
