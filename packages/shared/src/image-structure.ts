import { crc32 } from "./crc32.js";
import { SIGNATURE_BYTES, detectImageType } from "./image-signature.js";
import { IMAGE_TYPE_NAMES, MiB, type ImageType } from "./limits.js";

/** What a file's first bytes prove about it. */
export type ImageStructure =
  | { kind: "valid"; width: number; height: number }
  /** `problem` is for researchers, e.g. "content is not a valid PNG image (its IHDR checksum is wrong)". */
  | { kind: "invalid"; problem: string }
  /**
   * The caller must read bytes [0, upTo) (or more) and call again. upTo lies past the head, never past the file's
   * size or MAX_IMAGE_SCAN_BYTES, and is at least double the head where those allow, to bound the reads.
   */
  | { kind: "need-bytes"; upTo: number };

/**
 * Bytes a caller should read first. PNG, WebP and GIF need at most 782 (a full global colour table); a JPEG's
 * frame header follows its metadata, and one APP segment (EXIF with its thumbnail) holds up to 64 KiB, so most
 * camera JPEGs are settled in one read. A range read costs about one round trip whether it brings 1 KiB or
 * 64 KiB, and the round trip is what dominates; the rare JPEG with more metadata asks for the rest.
 */
export const IMAGE_HEAD_BYTES = 64 * 1024;

/** A JPEG whose frame header is not within this many bytes is refused. */
export const MAX_IMAGE_SCAN_BYTES = 4 * MiB;

/**
 * What to read first for a file of this type: PNG, GIF and WebP prove themselves within 782 bytes, so a kilobyte
 * does; a JPEG gets IMAGE_HEAD_BYTES, enough to pass most EXIF blocks in one read.
 */
export const imageHeadBytes = (type: ImageType): number => (type === "image/jpeg" ? IMAGE_HEAD_BYTES : 1024);

/** The bytes at hand (never past the file's end) and the file they start. */
interface Head {
  bytes: Uint8Array;
  size: number;
  type: ImageType;
}

const invalid = (head: Head, reason: string): ImageStructure => ({
  kind: "invalid",
  problem: `content is not a valid ${IMAGE_TYPE_NAMES[head.type]} image (${reason})`,
});

/**
 * Null when bytes [0, end) are at hand; otherwise the answer: the file is too short, the part sought lies past
 * the scan limit, or the caller must read more. A request at least doubles the head, so that hostile input
 * (a run of JPEG fill bytes, thousands of tiny segments) costs a handful of reads, never one per byte.
 */
function missing(head: Head, end: number, what: string): ImageStructure | null {
  if (end > head.size) return invalid(head, `the file ends before its ${what} is complete`);
  // Checked even when the bytes are at hand, so the answer never depends on how much the caller read.
  if (end > MAX_IMAGE_SCAN_BYTES) {
    return invalid(head, `its ${what} is not within the first ${MAX_IMAGE_SCAN_BYTES / MiB} MiB`);
  }
  if (end <= head.bytes.length) return null;
  const upTo = Math.min(head.size, MAX_IMAGE_SCAN_BYTES, Math.max(end, 2 * head.bytes.length));
  return { kind: "need-bytes", upTo };
}

// Callers read only bytes that `missing` has proved present.
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u32le = (b: Uint8Array, i: number) => (u24le(b, i) | (b[i + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;

function dimensions(head: Head, width: number, height: number): ImageStructure {
  if (width === 0) return invalid(head, "its width is 0");
  if (height === 0) return invalid(head, "its height is 0");
  return { kind: "valid", width, height };
}

/** The bit depths each PNG colour type allows (PNG specification, IHDR). */
const PNG_BIT_DEPTHS: Partial<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const PNG_MAX_DIMENSION = 2 ** 31 - 1;

/** Signature, then IHDR as the first chunk: length 13, fields within the specification, checksum right. */
function inspectPng(head: Head): ImageStructure {
  const wait = missing(head, 33, "IHDR chunk");
  if (wait) return wait;
  const b = head.bytes;
  if (ascii(b, 12, 16) !== "IHDR") return invalid(head, "its first chunk is not IHDR");
  const length = u32be(b, 8);
  if (length !== 13) return invalid(head, `its IHDR chunk is ${length} bytes long instead of 13`);
  if (crc32(b.subarray(12, 29)) !== u32be(b, 29)) return invalid(head, "its IHDR checksum is wrong");
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  if (width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) return invalid(head, "its dimensions are out of range");
  const [depth, colourType, compression, filter, interlace] = b.subarray(24, 29);
  if (!PNG_BIT_DEPTHS[colourType!]?.includes(depth!)) {
    return invalid(head, `bit depth ${depth} with colour type ${colourType} is not a valid combination`);
  }
  if (compression !== 0) return invalid(head, `its compression method ${compression} is unknown`);
  if (filter !== 0) return invalid(head, `its filter method ${filter} is unknown`);
  if (interlace !== 0 && interlace !== 1) return invalid(head, `its interlace method ${interlace} is unknown`);
  return dimensions(head, width, height);
}

const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** RSTn and TEM stand alone: no length follows them. */
const isStandalone = (marker: number) => (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01;
/** Lossless frames (SOF3, 7, 11, 15) allow 2 to 16 bits per sample; the others 8 or 12. */
const isLossless = (marker: number) => (marker & 0x03) === 0x03;

/** SOI, then marker segments, walked by their lengths, up to the first frame header (SOFn). */
function inspectJpeg(head: Head): ImageStructure {
  const b = head.bytes;
  const what = "frame header";
  let pos = 2;
  for (;;) {
    let wait = missing(head, pos + 2, what);
    if (wait) return wait;
    if (b[pos] !== 0xff) return invalid(head, `it has no marker where one should be, at byte ${pos}`);
    // Any number of 0xFF fill bytes may precede the marker code.
    let at = pos + 1;
    for (;;) {
      wait = missing(head, at + 1, what);
      if (wait) return wait;
      if (b[at] !== 0xff) break;
      at++;
    }
    const marker = b[at]!;
    if (isStandalone(marker)) {
      pos = at + 1;
      continue;
    }
    if (marker === 0xda) return invalid(head, "its scan data starts before any frame header");
    if (marker === 0xd9) return invalid(head, "it ends before any frame header");
    if (marker === 0xd8) return invalid(head, "it has a second start-of-image marker");
    if (marker < 0xc0) return invalid(head, `it has an unknown marker ${hex(marker)} at byte ${pos}`);
    wait = missing(head, at + 3, what);
    if (wait) return wait;
    const length = u16be(b, at + 1);
    if (length < 2) return invalid(head, `its marker ${hex(marker)} has an impossible length ${length}`);
    const end = at + 1 + length;
    if (end > head.size) return invalid(head, `its marker ${hex(marker)} segment runs past the end of the file`);
    if (isStartOfFrame(marker)) return inspectJpegFrame(head, marker, at + 3, end);
    pos = end;
  }
}

/** The frame header's fields, from `start` (after the length) to `end`. */
function inspectJpegFrame(head: Head, marker: number, start: number, end: number): ImageStructure {
  const wait = missing(head, end, "frame header");
  if (wait) return wait;
  const b = head.bytes;
  if (end - start < 6) return invalid(head, "its frame header is too short");
  const precision = b[start]!;
  const height = u16be(b, start + 1);
  const width = u16be(b, start + 3);
  const components = b[start + 5]!;
  if (components === 0 || end - start !== 6 + 3 * components) {
    return invalid(head, "its frame header's length does not match its number of components");
  }
  const precisionValid = isLossless(marker) ? precision >= 2 && precision <= 16 : precision === 8 || precision === 12;
  if (!precisionValid) return invalid(head, `its sample precision of ${precision} bits is not allowed`);
  if (height === 0 && width > 0) {
    return invalid(head, "its height is left to a later DNL marker, which is not supported");
  }
  return dimensions(head, width, height);
}

/** Signature, logical screen descriptor, global colour table, then a block introducer. */
function inspectGif(head: Head): ImageStructure {
  let wait = missing(head, 13, "logical screen descriptor");
  if (wait) return wait;
  const b = head.bytes;
  const flags = b[10]!;
  const colourTableBytes = flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0;
  const next = 13 + colourTableBytes;
  wait = missing(head, next + 1, colourTableBytes > 0 ? "global colour table" : "first block");
  if (wait) return wait;
  // Extension, image descriptor or trailer: anything else (HTML after a GIF header) is not a GIF.
  if (![0x21, 0x2c, 0x3b].includes(b[next]!)) {
    return invalid(head, "its header is not followed by an image, an extension or the trailer");
  }
  return dimensions(head, u16le(b, 6), u16le(b, 8));
}

/** RIFF with a size that matches the file, WEBP, then a VP8, VP8L or VP8X chunk that fits in it. */
function inspectWebp(head: Head): ImageStructure {
  let wait = missing(head, 20, "first chunk");
  if (wait) return wait;
  const b = head.bytes;
  const declaredSize = u32le(b, 4) + 8;
  if (declaredSize !== head.size) {
    return invalid(head, `its RIFF header gives a size of ${declaredSize} bytes, but the file has ${head.size}`);
  }
  const chunk = ascii(b, 12, 16);
  const chunkSize = u32le(b, 16);
  if (chunk !== "VP8 " && chunk !== "VP8L" && chunk !== "VP8X") {
    return invalid(head, "its first chunk is not VP8, VP8L or VP8X");
  }
  const name = chunk.trim();
  if (20 + chunkSize > head.size) return invalid(head, `its ${name} chunk runs past the end of the file`);
  const minimumSize = { "VP8 ": 10, VP8L: 5, VP8X: 10 }[chunk];
  if (chunkSize < minimumSize) return invalid(head, `its ${name} chunk is too short`);
  wait = missing(head, 20 + minimumSize, `${name} header`);
  if (wait) return wait;
  if (chunk === "VP8 ") return inspectVp8(head);
  if (chunk === "VP8L") return inspectVp8l(head);
  if (chunkSize !== 10) return invalid(head, "its VP8X chunk is not 10 bytes long");
  const width = u24le(b, 24) + 1;
  const height = u24le(b, 27) + 1;
  if (width * height > 2 ** 32 - 1) return invalid(head, "its canvas is larger than WebP allows");
  return dimensions(head, width, height);
}

/** A lossy bitstream: a shown key frame, the start code, 14-bit width and height. */
function inspectVp8(head: Head): ImageStructure {
  const b = head.bytes;
  const frameTag = b[20]!;
  if (frameTag & 0x01) return invalid(head, "its first frame is not a key frame");
  if (((frameTag >> 1) & 0x07) > 3) return invalid(head, "its VP8 version is unknown");
  if (!(frameTag & 0x10)) return invalid(head, "its first frame is not shown");
  if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return invalid(head, "its VP8 start code is wrong");
  return dimensions(head, u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
}

/** A lossless bitstream: signature 0x2F, 14-bit width−1 and height−1, alpha bit, version 0. */
function inspectVp8l(head: Head): ImageStructure {
  const b = head.bytes;
  if (b[20] !== 0x2f) return invalid(head, "its VP8L signature is wrong");
  const bits = u32le(b, 21);
  if (bits >>> 29 !== 0) return invalid(head, "its VP8L version is unknown");
  return dimensions(head, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

const INSPECTORS: Record<ImageType, (head: Head) => ImageStructure> = {
  "image/png": inspectPng,
  "image/jpeg": inspectJpeg,
  "image/gif": inspectGif,
  "image/webp": inspectWebp,
};

/**
 * Whether a file is structurally the declared image, from its first `head.length` bytes (the whole file when it
 * is that short) and its size. Strict, bounded and total: never throws on any bytes, never loops on them, and
 * asks for more only up to the file's size and MAX_IMAGE_SCAN_BYTES.
 */
export function inspectImageStructure(declaredType: ImageType, head: Uint8Array, totalSize: number): ImageStructure {
  if (!Number.isSafeInteger(totalSize) || totalSize < 0) {
    throw new RangeError(`totalSize must be a whole number of bytes, not ${totalSize}`);
  }
  const file: Head = { bytes: head.subarray(0, totalSize), size: totalSize, type: declaredType };
  const wait = missing(file, Math.min(SIGNATURE_BYTES, totalSize), "signature");
  if (wait) return wait;
  const actual = detectImageType(file.bytes);
  const declared = IMAGE_TYPE_NAMES[declaredType];
  if (actual === null) return { kind: "invalid", problem: `content is not a ${declared} image` };
  if (actual !== declaredType) {
    return { kind: "invalid", problem: `content is a ${IMAGE_TYPE_NAMES[actual]} image, not the declared ${declared}` };
  }
  return INSPECTORS[declaredType](file);
}
