export const MiB = 1024 * 1024;

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** The names researchers know the types by, for messages. */
export const IMAGE_TYPE_NAMES: Record<ImageType, string> = {
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/webp": "WebP",
  "image/gif": "GIF",
};

/** Defaults for the limits the API publishes at GET /api/config (each overridable by env). */
export const DEFAULT_LIMITS = {
  maxFileBytes: 16 * MiB,
  maxFiles: 50,
  concurrency: 6,
  /** Uploads at once when the upload origin speaks HTTP/2: `pnpm bench` measured 6, 12 and 16 (README). */
  http2Concurrency: 16,
  sasTtlSeconds: 600,
} as const;

/** A JPEG whose frame header is not within this many bytes is refused. */
export const MAX_IMAGE_SCAN_BYTES = 4 * MiB;
export const MAX_FILE_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 200;
export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5000;
/** JSON bodies are small (metadata only); anything larger is refused with 413 before parsing. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;
/** 144 random bits, base64url: unguessable and safe inside a blob name. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;
export const STUDY_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
