import { IMAGE_TYPE_NAMES } from "@study-uploader/shared";

const UNITS = ["B", "KiB", "MiB", "GiB"] as const;

/** 1536 → "1.5 KiB"; binary units, matching the MiB limits the API publishes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** 1920, 1080 → "1920 × 1080 px"; null when the size is not known (images committed before it was recorded). */
export function formatPixelSize(width: number | null, height: number | null): string | null {
  return width === null || height === null ? null : `${width} × ${height} px`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A moment in the reader's locale and time zone, the same everywhere the app shows one: "Mar 4, 2025, 3:07 PM". */
export function formatDateTime(moment: Date | number | string): string {
  return dateTimeFormat.format(new Date(moment));
}

/** A rough, human duration for "time left": "8 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** "image/png, image/webp" → "PNG, WebP", for messages a researcher reads. */
export function imageTypeNames(types: readonly string[]): string {
  return types.map((type) => (IMAGE_TYPE_NAMES as Record<string, string>)[type] ?? type).join(", ");
}
