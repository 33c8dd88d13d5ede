// The engine for Node (soak and fault tests): the same batch logic with a Node transport, no browser globals.
export type { BlobTransport, PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
export { createChunkedMd5, type Md5Hasher } from "./md5.js";
export type { RetryOptions } from "./retry-policy.js";
export {
  uploadBatch,
  type BatchFile,
  type FileUploadState,
  type UploadBatchResult,
  type UploadTargets,
} from "./upload-batch.js";
export { createNodePutBlob } from "./node-put-blob.js";
