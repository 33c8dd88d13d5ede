import type { FileProblem } from "@study-uploader/shared";
import type { BatchDeps } from "./batches.js";
import { committedImageName } from "./records.js";
import type { Verified } from "./verify-uploads.js";

type CopyOutcome = { copied: true; name: string } | { copied: false; problem: string };

const SOURCE_CHANGED = "changed while the study was being committed; upload it again";

/** Copies one verified upload: whole (Copy Blob From URL), or block by block when it was sent in blocks. */
async function copyOne(deps: BatchDeps, studyId: string, verified: Verified): Promise<CopyOutcome> {
  const { file, md5, observed, blocks } = verified;
  const name = committedImageName(studyId, file.index, observed.etag);
  const source = { url: await deps.storage.sas.copySourceUrl(file.blobName), etag: observed.etag };
  const metadata = { study: studyId, element: String(file.index) };
  if (blocks) {
    const copied = await deps.storage.committed.copyBlocks(name, source, blocks, { type: file.type, md5 }, metadata);
    if (copied === "copied") return { copied: true, name };
    if (copied === "source-changed") return { copied: false, problem: SOURCE_CHANGED };
    // Only that version goes, as for any upload that fails verification: the file can then be sent again.
    await deps.storage.images.deleteVersion(file.blobName, observed.etag);
    return { copied: false, problem: `stored bytes do not match the checksum of block ${copied.badBlock}` };
  }
  const copied = await deps.storage.committed.copyVerified(name, source, md5, metadata);
  if (copied === "source-changed") return { copied: false, problem: SOURCE_CHANGED };
  if (observed.contentType !== file.type || observed.hasUploaderHeaders) {
    await deps.storage.committed.seal(name, file.type, md5);
  }
  return { copied: true, name };
}

/**
 * Copies each verified upload version into the committed container, with only the server's headers and metadata.
 * Returns the committed names, or the files whose upload changed (or went) since it was verified, or whose bytes
 * storage found not to match their blocks' MD5s.
 */
export async function copyVerified(
  deps: BatchDeps,
  studyId: string,
  verified: Verified[],
): Promise<{ names: string[]; changed: FileProblem[] }> {
  const outcomes = await Promise.all(verified.map((v) => copyOne(deps, studyId, v)));
  const changed = outcomes.flatMap((outcome, i) =>
    outcome.copied ? [] : [{ index: verified[i]!.file.index, problem: outcome.problem }],
  );
  return { names: outcomes.map((outcome) => (outcome.copied ? outcome.name : "")), changed };
}
