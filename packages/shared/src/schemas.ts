import { z } from "zod";
import { fileNameProblem } from "./file-name.js";
import {
  BATCH_ID_PATTERN,
  DEFAULT_LIMITS,
  IMAGE_TYPES,
  MAX_DESCRIPTION_LENGTH,
  MAX_LABEL_LENGTH,
  MAX_TITLE_LENGTH,
} from "./limits.js";
import { unsafeTextProblem } from "./text-safety.js";

export const imageTypeSchema = z.enum(IMAGE_TYPES, {
  error: () => `type must be one of ${IMAGE_TYPES.join(", ")}`,
});

/** The limits the API enforces and publishes; the web checks files against the same numbers before sending. */
export const uploadConfigSchema = z.object({
  maxFileBytes: z.number().int().positive(),
  maxFiles: z.number().int().positive(),
  allowedTypes: z.array(imageTypeSchema),
  /** Uploads at once over HTTP/1.1: the browser's connections per origin. */
  concurrency: z.number().int().positive(),
  /** Uploads at once when the upload origin speaks HTTP/2 or HTTP/3 (absent from older APIs). */
  http2Concurrency: z.number().int().positive().optional(),
  sasTtlSeconds: z.number().int().positive(),
  /** Largest total of one batch's file sizes (absent from older APIs). */
  maxBatchBytes: z.number().int().positive().optional(),
  /** Whether requests need `Authorization: Bearer <token>` (absent from older APIs: false). */
  authRequired: z.boolean().optional(),
  /** How long a batch can be uploaded to and committed; a saved draft lives no longer (absent from older APIs). */
  stagingTtlSeconds: z.number().int().positive().optional(),
  /** Files larger than this go in blocks (absent from older APIs: every file is one Put Blob). */
  blockThresholdBytes: z.number().int().positive().optional(),
  /** Whether the browser's pool follows the link up to its maximum (absent from older APIs: a fixed pool). */
  adaptiveConcurrency: z.boolean().optional(),
  /** A block's size before the link was measured (see `blockBytesFor`). */
  blockBytes: z.number().int().positive().optional(),
});
export type UploadConfig = z.infer<typeof uploadConfigSchema>;

export const defaultUploadConfig: UploadConfig = { ...DEFAULT_LIMITS, allowedTypes: [...IMAGE_TYPES] };

export const fileNameSchema = z.string().superRefine((name, ctx) => {
  const problem = fileNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export function fileSpecSchema(config: Pick<UploadConfig, "maxFileBytes">) {
  return z.strictObject({
    name: fileNameSchema,
    size: z
      .number()
      .int("size must be a whole number of bytes")
      .positive("file is empty")
      .max(config.maxFileBytes, `file is larger than ${config.maxFileBytes} bytes`),
    type: imageTypeSchema,
  });
}
export type FileSpec = z.infer<ReturnType<typeof fileSpecSchema>>;

export function createBatchRequestSchema(config: Pick<UploadConfig, "maxFileBytes" | "maxFiles">) {
  return z.strictObject({
    files: z
      .array(fileSpecSchema(config))
      .min(1, "a batch needs at least one file")
      .max(config.maxFiles, `a batch may hold at most ${config.maxFiles} files`),
  });
}
export type CreateBatchRequest = z.infer<ReturnType<typeof createBatchRequestSchema>>;

export const batchIdSchema = z.string().regex(BATCH_ID_PATTERN, "not a batch id");

/**
 * Where a browser sends or reads an image: an absolute URL, or a path on the app's own origin ("/storage/…")
 * when storage sits behind the app's front door (`PUBLIC_BLOB_ENDPOINT=/storage/…`): same-origin, no preflight.
 */
export const storageUrlSchema = z.union([
  z.url(),
  z.string().regex(/^\/(?!\/)[^\s]*$/, "must be an absolute URL or a path on this origin"),
]);

/**
 * One presigned upload. `single`: PUT the file's bytes to `uploadUrl` with these headers (Put Blob). `blocks`: PUT
 * each block to `uploadUrl&comp=block&blockid=…` with its Content-MD5 (Put Block), then the block list to
 * `uploadUrl&comp=blocklist` with these headers and the file's MD5 (Put Block List). Absent: `single`.
 */
export const uploadTargetSchema = z.object({
  index: z.number().int().nonnegative(),
  uploadUrl: storageUrlSchema,
  headers: z.record(z.string(), z.string()),
  mode: z.enum(["single", "blocks"]).optional(),
  /**
   * The MD5s (base64) of committed images the same owner already has with exactly this file's size. A file whose
   * MD5 is one of them asks `POST /api/batches/:id/files/:index/reuse` instead of sending its bytes. Absent: none
   * (older APIs, files sent in blocks).
   */
  storedMd5s: z.array(z.string()).optional(),
});
export type UploadTarget = z.infer<typeof uploadTargetSchema>;

export const createBatchResponseSchema = z.object({
  batchId: batchIdSchema,
  expiresAt: z.iso.datetime(),
  files: z.array(uploadTargetSchema),
});
export type CreateBatchResponse = z.infer<typeof createBatchResponseSchema>;

export const refreshBatchRequestSchema = z.strictObject({
  indexes: z.array(z.number().int().nonnegative()).max(10_000).optional(),
});
export type RefreshBatchRequest = z.infer<typeof refreshBatchRequestSchema>;

export const refreshBatchResponseSchema = createBatchResponseSchema.omit({ batchId: true });
export type RefreshBatchResponse = z.infer<typeof refreshBatchResponseSchema>;

/**
 * `POST /api/batches/:id/files`: more images for a batch that is still being uploaded (the researcher added
 * some). They get the next indexes; the answer has their upload links, shaped like a refresh's.
 */
export const addBatchFilesRequestSchema = createBatchRequestSchema;
export type AddBatchFilesRequest = CreateBatchRequest;
export const addBatchFilesResponseSchema = refreshBatchResponseSchema;
export type AddBatchFilesResponse = RefreshBatchResponse;

/** Base64 of a 16-byte MD5 digest, as storage reports it in Content-MD5. */
export const md5Base64Schema = z.string().regex(/^[A-Za-z0-9+/]{22}==$/, "md5 must be the base64 of a 16-byte digest");

/** Text a researcher typed: at most `max` characters, none of them unsafe (see unsafeTextProblem). */
const safeText = (max: number, what: string, options: { multiline?: boolean } = {}) =>
  z
    .string()
    .max(max, `${what} is longer than ${max} characters`)
    .superRefine((text, ctx) => {
      const problem = unsafeTextProblem(text, what, options);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

export const titleSchema = safeText(MAX_TITLE_LENGTH, "title").refine((s) => s.trim().length > 0, "title is required");
export const labelSchema = safeText(MAX_LABEL_LENGTH, "label").refine((s) => s.trim().length > 0, "label is required");
export const descriptionSchema = safeText(MAX_DESCRIPTION_LENGTH, "description", { multiline: true });

/**
 * `POST /api/studies`. `elements` name the batch's files by index, in the study's order: all of them, or
 * any of them that were not removed (files left out are not part of the study and are swept with the batch).
 */
export const commitStudyRequestSchema = z.strictObject({
  batchId: batchIdSchema,
  title: titleSchema,
  description: descriptionSchema.optional(),
  elements: z
    .array(
      z.strictObject({
        index: z.number().int().nonnegative(),
        label: labelSchema,
        md5: md5Base64Schema,
      }),
    )
    .min(1, "a study needs at least one element")
    .max(10_000),
});
export type CommitStudyRequest = z.infer<typeof commitStudyRequestSchema>;

/** Pixel size read from the image's own header at commit; null only for studies committed before it was recorded. */
const pixelSize = z.number().int().positive().nullable();

export const studyElementSchema = z.object({
  /** The element's position in the study (0, 1, …), in the order the commit listed them. */
  index: z.number().int().nonnegative(),
  label: z.string(),
  name: z.string(),
  size: z.number().int().positive(),
  type: imageTypeSchema,
  width: pixelSize,
  height: pixelSize,
  url: storageUrlSchema,
  /** The same image served as an attachment under its original file name (a download, not a view). */
  downloadUrl: storageUrlSchema,
});
export type StudyElement = z.infer<typeof studyElementSchema>;

export const studySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
  elements: z.array(studyElementSchema),
});
export type Study = z.infer<typeof studySchema>;

export const studySummarySchema = studySchema.pick({ id: true, title: true, createdAt: true }).extend({
  elementCount: z.number().int().nonnegative(),
  /** A read URL of the study's first image, for the list; null for studies listed before it was recorded. */
  thumbnailUrl: storageUrlSchema.nullable(),
  /**
   * Its owner's delete started and has not finished (it stopped half-way): deleting it again finishes it, and so
   * does the sweep. Absent from older API instances: not pending.
   */
  deletionPending: z.boolean().default(false),
});
export type StudySummary = z.infer<typeof studySummarySchema>;

export const MAX_STUDIES_PAGE = 100;
export const DEFAULT_STUDIES_PAGE = 50;

/** `GET /api/studies?limit=N&cursor=C`: strict, so `limit=abc`, `limit=0` or `limit=1.5` is a 400, not a default. */
export const studyListQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, `limit must be a whole number from 1 to ${MAX_STUDIES_PAGE}`)
    .transform(Number)
    .refine((n) => n <= MAX_STUDIES_PAGE, `limit must be a whole number from 1 to ${MAX_STUDIES_PAGE}`)
    .optional()
    .transform((n) => n ?? DEFAULT_STUDIES_PAGE),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1024}$/, "cursor is not one this API handed out")
    .optional(),
});
/** What a client asks for; on the wire both are query strings. */
export interface StudyListQuery {
  limit?: number;
  cursor?: string;
}

/** One page of a researcher's studies, newest first; `nextCursor` asks for the next page, null on the last. */
export const studyListSchema = z.object({ studies: z.array(studySummarySchema), nextCursor: z.string().nullable() });
export type StudyList = z.infer<typeof studyListSchema>;

export const healthSchema = z.object({ status: z.literal("ok") });

export const ERROR_CODES = [
  "invalid_json",
  "invalid_request",
  "unsupported_media_type",
  "payload_too_large",
  "not_found",
  "method_not_allowed",
  "batch_committed",
  "commit_in_progress",
  "elements_mismatch",
  "verification_failed",
  "unauthorized",
  "rate_limited",
  "storage_unavailable",
  "server_busy",
  "auth_unavailable",
  "host_not_allowed",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const fileProblemSchema = z.object({ index: z.number().int().nonnegative(), problem: z.string() });
export type FileProblem = z.infer<typeof fileProblemSchema>;

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    files: z.array(fileProblemSchema).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
