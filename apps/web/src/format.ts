import { IMAGE_TYPE_NAMES } from "@study-uploader/shared";

export { formatBytes, formatDuration } from "@study-uploader/shared";

/** 1920, 1080 → "1920 × 1080 px"; null when the size is not known (images committed before it was recorded). */
export function formatPixelSize(width: number | null, height: number | null): string | null {
  return width === null || height === null ? null : `${width} × ${height} px`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A moment in the reader's locale and time zone, the same everywhere the app shows one: "Mar 4, 2025, 3:07 PM". */
export function formatDateTime(moment: Date | number | string): string {
  return dateTimeFormat.format(new Date(moment));
}

/** "image/png, image/webp" → "PNG, WebP", for messages a researcher reads. */
export function imageTypeNames(types: readonly string[]): string {
  return types.map((type) => (IMAGE_TYPE_NAMES as Record<string, string>)[type] ?? type).join(", ");
}
