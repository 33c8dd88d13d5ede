import {
  THUMBNAIL_MAX_BYTES,
  THUMBNAIL_TYPE,
  errorMessage,
  inspectImageStructure,
  thumbnailLimitProblem,
} from "@study-uploader/shared";
import type { Logger } from "../logger.js";
import { mapConcurrently } from "../map-concurrently.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { ReadUrlValidity } from "../storage/read-url-window.js";
import type { StagedBlobInfo } from "../storage/image-blobs.js";
import type { BatchDeps } from "./batches.js";
import type { BatchPlan, StudyRecord } from "./records.js";

/*
 * Thumbnails: a small JPEG per image, uploaded by the browser beside the image and kept by the commit only when it
 * proves to be one. They are a convenience: a missing, invalid or spoofed thumbnail never fails a commit, it is
 * dropped and its element shows no thumbnail.
 */

type PlannedFile = BatchPlan["files"][number];

export interface ThumbnailDeps extends BatchDeps {
  logger: Logger;
}

/** The upload beside a file's own (`{batchId}/{index}-thumb`): removal, discard and the sweep find it by prefix. */
export const thumbnailUploadName = (file: Pick<PlannedFile, "blobName">) => `${file.blobName}-thumb`;

/**
 * A kept thumbnail's name, under the study like its image (a delete and the sweep find it by that prefix), with
 * the ETag of the upload version that was checked and copied, as for images.
 */
export const committedThumbnailName = (studyId: string, index: number, etag: string) =>
  `${studyId}/${index}-thumb-${etag.replace(/[^A-Za-z0-9]/g, "")}`;

/** A create-only URL for the file's thumbnail: one Put Blob, never an overwrite. */
export async function thumbnailTarget(deps: BatchDeps, file: PlannedFile, expiresOn: Date) {
  return {
    uploadUrl: await deps.storage.sas.uploadUrl(thumbnailUploadName(file), expiresOn, "single"),
    headers: { "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": THUMBNAIL_TYPE },
  };
}

/** Why an uploaded thumbnail is not kept, or null: a JPEG by its structure, within the byte and pixel limits. */
function thumbnailProblem(uploaded: StagedBlobInfo): string | null {
  if (uploaded.size > THUMBNAIL_MAX_BYTES) return `it is ${uploaded.size} bytes, more than ${THUMBNAIL_MAX_BYTES}`;
  if (uploaded.md5 === null) return "storage has no checksum for it";
  // The first read brought the whole thumbnail (it is no larger than that read), so no second read is needed.
  const structure = inspectImageStructure(THUMBNAIL_TYPE, uploaded.head, uploaded.size);
  if (structure.kind === "need-bytes") return "its JPEG frame header is not within its bytes";
  if (structure.kind === "invalid") return structure.problem;
  return thumbnailLimitProblem(structure.width, structure.height, uploaded.size);
}

type ThumbnailOutcome = { name: string } | { dropped: string };

/** Checks one file's uploaded thumbnail and copies exactly the checked version beside the study's images. */
async function commitThumbnail(deps: BatchDeps, studyId: string, file: PlannedFile): Promise<ThumbnailOutcome> {
  const uploadName = thumbnailUploadName(file);
  const uploaded = await deps.storage.images.inspect(uploadName, THUMBNAIL_MAX_BYTES);
  if (!uploaded) return { dropped: "none was uploaded" };
  const problem = thumbnailProblem(uploaded);
  if (problem) return { dropped: problem };
  const name = committedThumbnailName(studyId, file.index, uploaded.etag);
  const source = { url: await deps.storage.sas.copySourceUrl(uploadName), etag: uploaded.etag };
  const metadata = { study: studyId, element: String(file.index), thumbnail: "true" };
  const copied = await deps.storage.committed.copyVerified(name, source, uploaded.md5!, metadata);
  if (copied === "source-changed") return { dropped: "it changed while the study was committed" };
  if (uploaded.contentType !== THUMBNAIL_TYPE || uploaded.hasUploaderHeaders) {
    await deps.storage.committed.seal(name, THUMBNAIL_TYPE, uploaded.md5!);
  }
  return { name };
}

/** Thumbnails checked at once: each holds one read of at most THUMBNAIL_MAX_BYTES. */
const THUMBNAILS_AT_ONCE = 8;

/**
 * The committed thumbnail of each of these files (in their order), or undefined where there is none to keep.
 * Never throws: whatever goes wrong with a thumbnail (storage included) drops it, logged once per commit.
 */
export async function commitThumbnails(
  deps: ThumbnailDeps,
  studyId: string,
  files: readonly PlannedFile[],
): Promise<(string | undefined)[]> {
  const outcomes = await mapConcurrently(files, THUMBNAILS_AT_ONCE, (file) =>
    commitThumbnail(deps, studyId, file).catch((error: unknown) => ({ dropped: errorMessage(error) })),
  );
  const dropped = outcomes.flatMap((outcome, i) =>
    "dropped" in outcome ? [{ index: files[i]!.index, problem: outcome.dropped }] : [],
  );
  if (dropped.length > 0) deps.logger.warn("thumbnails dropped; those images show none", { studyId, dropped });
  return outcomes.map((outcome) => ("name" in outcome ? outcome.name : undefined));
}

/** An element's record field for its kept thumbnail (none: no field, as in records written before thumbnails). */
export const thumbnailField = (name: string | undefined) => (name === undefined ? {} : { thumbnailBlobName: name });

type RecordElement = StudyRecord["elements"][number];

const thumbnailOf = (element: RecordElement | undefined) =>
  element && "thumbnailBlobName" in element ? element.thumbnailBlobName : undefined;

/** A read URL of an element's thumbnail, or null when it has none. */
export async function thumbnailReadUrl(
  storage: Pick<BlobStorage, "sas">,
  element: RecordElement,
  validity: ReadUrlValidity,
): Promise<string | null> {
  const name = thumbnailOf(element);
  return name === undefined ? null : storage.sas.readUrl("committed", name, THUMBNAIL_TYPE, validity);
}

/** The names a study shows beside its images: the sweep keeps these too. */
export const thumbnailNames = (record: StudyRecord) => record.elements.flatMap((e) => thumbnailOf(e) ?? []);

/**
 * The index entry's key for the first element's thumbnail. A new key, so entries written before thumbnails (whose
 * `thumbblob` names the full first image) are told apart: the list shows a placeholder for those.
 */
const LISTED_THUMBNAIL_KEY = "thumbjpeg";

/** What a study's index entry carries of its first element's thumbnail (nothing when it has none). */
export function listedThumbnailMetadata(record: StudyRecord): Record<string, string> {
  const name = thumbnailOf(record.elements[0]);
  return name === undefined ? {} : { [LISTED_THUMBNAIL_KEY]: encodeURIComponent(name) };
}

/** A read URL of the listed thumbnail, signed from the entry's metadata (no storage call); null when it has none. */
export function listedThumbnailUrl(
  storage: Pick<BlobStorage, "sas">,
  metadata: Record<string, string>,
  validity: ReadUrlValidity,
): Promise<string | null> {
  const name = metadata[LISTED_THUMBNAIL_KEY];
  if (!name) return Promise.resolve(null);
  return storage.sas.readUrl("committed", decodeURIComponent(name), THUMBNAIL_TYPE, validity);
}
