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
    z.object({ index: fileIndex, name: z.string(), size: byteSize, type: imageTypeSchema, blobName: z.string() }),
  ),
});
export type BatchPlan = z.infer<typeof batchPlanSchema>;

export const studyRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  batchId: z.string(),
  owner: z.string(),
  title: z.string(),
  description: z.string(),
  createdAt: z.string(),
  elements: z.array(
    z.object({
      index: fileIndex,
      label: z.string(),
      name: z.string(),
      size: byteSize,
      type: imageTypeSchema,
      blobName: z.string(),
      md5: z.string(),
    }),
  ),
});
export type StudyRecord = z.infer<typeof studyRecordSchema>;

export const batchPlanName = (batchId: string) => `${batchId}.json`;
export const studyRecordName = (owner: string, studyId: string) => `${owner}/${studyId}.json`;
export const imageBlobName = (batchId: string, index: number) => `${batchId}/${index}`;
