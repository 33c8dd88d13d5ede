// The engine for Node (soak and fault tests): the same study session with a Node transport, no browser globals.
export type { BlobTransport, PutBlobOutcome, PutBlobRequest } from "./blob-transport.js";
export { createChunkedMd5, type Md5Hasher } from "./md5.js";
export { createNodePutBlob } from "./node-put-blob.js";
export type { RetryOptions } from "./retry-policy.js";
export {
  createStudySession,
  type SessionFile,
  type StudyDetails,
  type StudySession,
  type CommitOutcome,
} from "./study-session.js";
