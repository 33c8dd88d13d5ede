/**
 * A committed image's thumbnail: a small JPEG the browser makes and uploads beside the image, so the studies list
 * and a study's grid never download full images. The commit keeps one only if it is within these limits.
 */
export const THUMBNAIL_TYPE = "image/jpeg" as const;
/** Its longer side at most: sharp in a 128 px grid cell at 2× density. */
export const THUMBNAIL_MAX_SIDE_PX = 256;
/** Its bytes at most: the whole thumbnail fits the commit's first read of a JPEG. */
export const THUMBNAIL_MAX_BYTES = 64 * 1024;

/** Why a thumbnail of this pixel size and byte count is not kept, or null when it is within the limits. */
export function thumbnailLimitProblem(width: number, height: number, bytes: number): string | null {
  if (bytes > THUMBNAIL_MAX_BYTES) return `it is ${bytes} bytes, more than ${THUMBNAIL_MAX_BYTES}`;
  if (width > THUMBNAIL_MAX_SIDE_PX || height > THUMBNAIL_MAX_SIDE_PX) {
    return `it is ${width}×${height} px, larger than ${THUMBNAIL_MAX_SIDE_PX} px on a side`;
  }
  return null;
}
