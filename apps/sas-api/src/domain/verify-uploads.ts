import { imageHeadBytes, scanImageStructure, type CommitStudyRequest, type ImageVerdict } from "@study-uploader/shared";
import { mapConcurrently } from "../map-concurrently.js";
import type { StagedBlobInfo } from "../storage/image-blobs.js";
import type { BatchDeps } from "./batches.js";
import type { BatchPlan } from "./records.js";
import { metadataProblem } from "./verify-image.js";

type PlannedFile = BatchPlan["files"][number];

/**
 * Files of one commit checked at once. Each check holds one read at a time (its head or a window of a JPEG's walk,
 * at most 64 KiB, about twice that while the response is joined), so eight keep a commit near 1 MiB; and a study of
 * 50 ordinary images, one read each, is still checked in seven round trips.
 */
const FILES_VERIFIED_AT_ONCE = 8;

/** An upload as storage reported it, without the head bytes read with it: a verified file keeps this until copied. */
type UploadInfo = Omit<StagedBlobInfo, "head">;

/** What checking one upload found. */
type Verdict =
  | { ok: true; file: PlannedFile; md5: string; observed: UploadInfo; width: number; height: number }
  | { ok: false; index: number; problem: string };

export type Verified = Extract<Verdict, { ok: true }>;

/** Checks the structure from the inspected head on, streaming on where it needs more, in the same blob version. */
async function imageStructure(deps: BatchDeps, file: PlannedFile, observed: StagedBlobInfo): Promise<ImageVerdict> {
  const stream = (from: number, end: number) =>
    deps.storage.images.streamRange(file.blobName, from, end, observed.etag);
  const structure = await scanImageStructure(file.type, observed.size, stream, observed.head);
  return structure ?? { kind: "invalid", problem: "changed while it was being checked; upload it again" };
}

/** Verifies one upload against the plan, the browser's MD5 and the image format, reading as little as it can. */
async function verifyUpload(deps: BatchDeps, file: PlannedFile, md5: string): Promise<Verdict> {
  const inspected = await deps.storage.images.inspect(file.blobName, imageHeadBytes(file.type));
  if (!inspected) return { ok: false, index: file.index, problem: "was not uploaded" };
  let problem = metadataProblem(file, md5, inspected);
  if (!problem) {
    const structure = await imageStructure(deps, file, inspected);
    if (structure.kind === "valid") {
      const { head: _head, ...observed } = inspected;
      return { ok: true, file, md5, observed, width: structure.width, height: structure.height };
    }
    problem = structure.problem;
  }
  // Only that version goes, snapshots with it: the file can then be sent again through its create-only URL.
  await deps.storage.images.deleteVersion(file.blobName, inspected.etag);
  return { ok: false, index: file.index, problem };
}

/** Verifies the uploads a commit names, in the request's order, FILES_VERIFIED_AT_ONCE at a time. */
export function verifyUploads(
  deps: BatchDeps,
  plan: BatchPlan,
  elements: CommitStudyRequest["elements"],
): Promise<Verdict[]> {
  return mapConcurrently(elements, FILES_VERIFIED_AT_ONCE, (e) => verifyUpload(deps, plan.files[e.index]!, e.md5));
}
