import { z } from "zod";
import { batchIdSchema, imageTypeSchema, md5Base64Schema } from "./schemas.js";

/**
 * `POST /api/batches/:id/files/:index/reuse`: the file is an image its owner already has (its MD5 is one of the
 * target's `storedMd5s`). `reused`: storage copied that image into the file's upload, checking its MD5 on the way,
 * so nothing needs to be sent; false: send it as usual (the stored image has gone since, say).
 */
export const reuseUploadRequestSchema = z.strictObject({ md5: md5Base64Schema });
export type ReuseUploadRequest = z.infer<typeof reuseUploadRequestSchema>;
export const reuseUploadResponseSchema = z.object({ reused: z.boolean() });
export type ReuseUploadResponse = z.infer<typeof reuseUploadResponseSchema>;

/**
 * `GET /api/batches/:id`: what storage holds for a batch, so a draft reopened after a reload knows which images
 * arrived (never sent again) and until when the batch lives. `studyId` is set once the batch is a study.
 */
export const batchStatusSchema = z.object({
  batchId: batchIdSchema,
  /** The staging deadline: past it the batch can no longer be uploaded to or committed, and the sweep removes it. */
  stagingExpiresAt: z.iso.datetime(),
  studyId: z.string().nullable(),
  files: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      name: z.string(),
      size: z.number().int().positive(),
      type: imageTypeSchema,
      /** Taken out with `DELETE /api/batches/:id/files/:index`. */
      removed: z.boolean(),
      /** Storage holds a blob for it (its bytes are checked at commit, not here). */
      uploaded: z.boolean(),
      /**
       * A file sent in blocks and not yet uploaded: the blocks storage holds for it (uncommitted), by the block
       * number and MD5 their ids name. Absent for other files and from older APIs.
       */
      stagedBlocks: z
        .array(
          z.object({ block: z.number().int().nonnegative(), md5: md5Base64Schema, size: z.number().int().positive() }),
        )
        .optional(),
    }),
  ),
});
export type BatchStatus = z.infer<typeof batchStatusSchema>;
