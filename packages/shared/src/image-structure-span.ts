import { IMAGE_TYPE_NAMES, MAX_IMAGE_SCAN_BYTES, MiB, type ImageType } from "./limits.js";
import type { ImageStructure, ImageVerdict, NeedBytes } from "./image-structure.js";

/* What every format's structure check shares: the bytes at hand, and the answers built from them. */

/** The file's bytes at hand, from `start` (0 but where a JPEG's walk goes on; never past the file's end). */
export interface Span {
  bytes: Uint8Array;
  start: number;
  size: number;
  type: ImageType;
}

/** Where a walk stands: it reads on from `from`; the JPEG marker being read began at `markerAt`. */
export type WalkPosition = Pick<NeedBytes, "from" | "markerAt">;
export const FILE_START: WalkPosition = { from: 0, markerAt: 0 };

export const invalid = (span: Span, reason: string): ImageVerdict => ({
  kind: "invalid",
  problem: `content is not a valid ${IMAGE_TYPE_NAMES[span.type]} image (${reason})`,
});

/** Why bytes up to `end` will never be part of the check: the file ends first, or they lie past the scan limit. */
export function unreachable(span: Span, end: number, what: string): ImageVerdict | null {
  if (end > span.size) return invalid(span, `the file ends before its ${what} is complete`);
  // Checked even when the bytes are at hand, so the answer never depends on how much the caller read.
  if (end > MAX_IMAGE_SCAN_BYTES) {
    return invalid(span, `its ${what} is not within the first ${MAX_IMAGE_SCAN_BYTES / MiB} MiB`);
  }
  return null;
}

/**
 * Null when bytes up to `end` are at hand; otherwise the answer: the file is too short, the part sought lies past
 * the scan limit, or the caller must read from where the walk stands (`at`) to `end`.
 */
export function missing(span: Span, end: number, what: string, at = FILE_START): ImageStructure | null {
  const never = unreachable(span, end, what);
  if (never) return never;
  if (end <= span.start + span.bytes.length) return null;
  return { kind: "need-bytes", ...at, upTo: end };
}

// Callers read only bytes that `missing` has proved present.
export const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
export const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
export const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
export const u32be = (b: Uint8Array, i: number) =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
export const u32le = (b: Uint8Array, i: number) => (u24le(b, i) | (b[i + 3]! << 24)) >>> 0;
export const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
export const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;

export function dimensions(span: Span, width: number, height: number): ImageVerdict {
  if (width === 0) return invalid(span, "its width is 0");
  if (height === 0) return invalid(span, "its height is 0");
  return { kind: "valid", width, height };
}
