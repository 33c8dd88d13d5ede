import type { ImageStructure } from "./image-structure.js";
import {
  dimensions,
  hex,
  invalid,
  missing,
  u16be,
  unreachable,
  type Span,
  type WalkPosition,
} from "./image-structure-span.js";

/* A JPEG's structure: its marker segments up to the frame header, walked one step at a time. */

const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** RSTn and TEM stand alone: no length follows them. */
const isStandalone = (marker: number) => (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01;
/** Lossless frames (SOF3, 7, 11, 15) allow 2 to 16 bits per sample; the others 8 or 12. */
const isLossless = (marker: number) => (marker & 0x03) === 0x03;

/**
 * SOI, then marker segments, walked by their lengths, up to the first frame header (SOFn), from where the walk
 * stands: a segment's body is skipped by its length, unread, so each step needs only a marker and its length.
 */
export function walkJpeg(span: Span, { from, markerAt }: WalkPosition): ImageStructure {
  const what = "frame header";
  const byteAt = (i: number) => span.bytes[i - span.start]!;
  let pos = markerAt;
  let at = from;
  for (;;) {
    let wait: ImageStructure | null;
    if (at === pos) {
      wait = missing(span, pos + 2, what, { from: pos, markerAt: pos });
      if (wait) return wait;
      if (byteAt(pos) !== 0xff) return invalid(span, `it has no marker where one should be, at byte ${pos}`);
      at = pos + 1;
    }
    // Any number of 0xFF fill bytes may precede the marker code.
    for (;;) {
      wait = missing(span, at + 1, what, { from: at, markerAt: pos });
      if (wait) return wait;
      if (byteAt(at) !== 0xff) break;
      at++;
    }
    const marker = byteAt(at);
    if (isStandalone(marker)) {
      pos = at = at + 1;
      continue;
    }
    if (marker === 0xda) return invalid(span, "its scan data starts before any frame header");
    if (marker === 0xd9) return invalid(span, "it ends before any frame header");
    if (marker === 0xd8) return invalid(span, "it has a second start-of-image marker");
    if (marker < 0xc0) return invalid(span, `it has an unknown marker ${hex(marker)} at byte ${pos}`);
    // From here the walk can start again at the marker code, which needs nothing read before it.
    const here = { from: at, markerAt: pos };
    wait = missing(span, at + 3, what, here);
    if (wait) return wait;
    const length = (byteAt(at + 1) << 8) | byteAt(at + 2);
    if (length < 2) return invalid(span, `its marker ${hex(marker)} has an impossible length ${length}`);
    const end = at + 1 + length;
    if (end > span.size) return invalid(span, `its marker ${hex(marker)} segment runs past the end of the file`);
    if (isStartOfFrame(marker)) return inspectJpegFrame(span, marker, at + 3, end, here);
    pos = at = end;
  }
}

/** Fields a frame header has before its components: precision, height, width and the number of components. */
const FRAME_FIELDS_BYTES = 6;

/**
 * The frame header's fields, from `start` (after the length) to `end`. Only the fields are read: the length's
 * match with the number of components is arithmetic.
 */
function inspectJpegFrame(span: Span, marker: number, start: number, end: number, here: WalkPosition): ImageStructure {
  const never = unreachable(span, end, "frame header");
  if (never) return never;
  if (end - start < FRAME_FIELDS_BYTES) return invalid(span, "its frame header is too short");
  const wait = missing(span, start + FRAME_FIELDS_BYTES, "frame header", here);
  if (wait) return wait;
  const fields = span.bytes.subarray(start - span.start);
  const precision = fields[0]!;
  const height = u16be(fields, 1);
  const width = u16be(fields, 3);
  const components = fields[5]!;
  if (components === 0 || end - start !== FRAME_FIELDS_BYTES + 3 * components) {
    return invalid(span, "its frame header's length does not match its number of components");
  }
  const precisionValid = isLossless(marker) ? precision >= 2 && precision <= 16 : precision === 8 || precision === 12;
  if (!precisionValid) return invalid(span, `its sample precision of ${precision} bits is not allowed`);
  if (height === 0 && width > 0) {
    return invalid(span, "its height is left to a later DNL marker, which is not supported");
  }
  return dimensions(span, width, height);
}
