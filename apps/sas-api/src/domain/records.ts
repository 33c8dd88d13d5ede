import { z } from "zod";
import { imageTypeSchema } from "@study-uploader/shared";

const fileIndex = z.number().int().min(0);
const byteSize = z.number().int().min(0);

/** What the API stores for a batch when it hands out upload URLs; read back by whichever instance commits. */
export const batchPlanSchema = z.object({
  version: z.literal(1),
  batchId: z.string(),
  owner: z.string(),
  createdAt: z.string(),
  files: z.array(
    z.object({
      index: fileIndex,
      name: z.string(),
      size: byteSize,
      type: imageTypeSchema,
      blobName: z.string(),
      // Taken out before the commit. Optional, so plans stay version 1: older code reads them (and strips it).
      removed: z.literal(true).optional(),
      // Sent as blocks (decided when planned, from its size and the config then): the commit copies it block by
      // block. Optional, as above; older plans have none.
      blocks: z.literal(true).optional(),
    }),
  ),
  // Discarded by its owner: no route finds it any more; kept (uploads deleted) for the sweep to finish at the deadline.
  discarded: z.literal(true).optional(),
});
export type BatchPlan = z.infer<typeof batchPlanSchema>;

const studyFields = {
  id: z.string(),
  batchId: z.string(),
  owner: z.string(),
  title: z.string(),
  description: z.string(),
  createdAt: z.string(),
};
const elementFields = {
  index: fileIndex,
  label: z.string(),
  name: z.string(),
  size: byteSize,
  type: imageTypeSchema,
  blobName: z.string(),
  md5: z.string(),
};
const pixels = z.number().int().positive();

/** Studies committed before images were copied: their images are the uploads themselves, sizes unrecorded. */
const studyRecordV1Schema = z.object({
  version: z.literal(1),
  ...studyFields,
  elements: z.array(z.object(elementFields)),
});

/**
 * Each element's `blobName` is in the committed container: a copy no upload URL can reach. Elements are in the
 * study's order and `index` is the position; `fileIndex` is the batch file it came from (absent in records
 * written before a commit could pick and order files, where the two were equal).
 */
const studyRecordV2Schema = z.object({
  version: z.literal(2),
  ...studyFields,
  elements: z.array(
    z.object({
      ...elementFields,
      fileIndex: fileIndex.optional(),
      width: pixels,
      height: pixels,
      // Its kept thumbnail in the committed container (thumbnails.ts); absent when it has none, and in older records.
      thumbnailBlobName: z.string().optional(),
    }),
  ),
});

export const studyRecordSchema = z.discriminatedUnion("version", [studyRecordV1Schema, studyRecordV2Schema]);
export type StudyRecord = z.infer<typeof studyRecordSchema>;

/** Version 1 studies were committed before images were copied: they show the uploads themselves. */
export const imageLocation = (record: Pick<StudyRecord, "version">) => (record.version === 1 ? "staged" : "committed");

/**
 * What stays of a study its owner deleted. The record's name follows from the batch id and is only ever
 * created (If-None-Match: *), so keeping this in its place means no repeated commit of that batch can bring the
 * study back; the sweep removes it once the batch's staging window has closed and no commit can come.
 */
export const deletedStudyRecordSchema = z.object({
  version: z.literal(3),
  deleted: z.literal(true),
  id: z.string(),
  batchId: z.string(),
  owner: z.string(),
  createdAt: z.string(),
  deletedAt: z.string(),
});
export type DeletedStudyRecord = z.infer<typeof deletedStudyRecordSchema>;

/** Any record at a study's name: a study, or what is left of a deleted one. */
export const storedStudySchema = z.discriminatedUnion("version", [
  studyRecordV1Schema,
  studyRecordV2Schema,
  deletedStudyRecordSchema,
]);
export type StoredStudy = z.infer<typeof storedStudySchema>;

export const isDeletedStudy = (record: StoredStudy): record is DeletedStudyRecord => record.version === 3;
export type CommittedStudyRecord = z.infer<typeof studyRecordV2Schema>;

/**
 * A delete that has started, kept beside the study records (no owner key starts with "_") until every part of
 * the study is gone: the sweep lists these to finish one that stopped half-way, however old its batch.
 */
export const PENDING_DELETES_PREFIX = "_deleting/";
export const pendingDeleteName = (owner: string, studyId: string) => `${PENDING_DELETES_PREFIX}${owner}/${studyId}`;

export const batchPlanName = (batchId: string) => `${batchId}.json`;
export const studyRecordName = (owner: string, studyId: string) => `${owner}/${studyId}.json`;
export const imageBlobName = (batchId: string, index: number) => `${batchId}/${index}`;

/**
 * A committed image's name: the study, the element, and the ETag of the upload version that was verified and
 * copied. Racing or repeated commits of the same bytes therefore name the same copy, and a copy is never reused
 * for other bytes.
 */
export const committedImageName = (studyId: string, index: number, etag: string) =>
  `${studyId}/${index}-${etag.replace(/[^A-Za-z0-9]/g, "")}`;

/** Milliseconds below this count down as time goes up, so names that start with them list newest first. */
const LATEST_MS = 9_999_999_999_999;

/** A study's entry in the owner's newest-first index: listing a page is one List Blobs call, whatever the total. */
export const studyIndexName = (owner: string, createdAt: string, studyId: string) =>
  `${owner}/${String(LATEST_MS - Date.parse(createdAt)).padStart(13, "0")}-${studyId}`;
