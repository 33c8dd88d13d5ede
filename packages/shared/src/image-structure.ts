import { crc32 } from "./crc32.js";
import { SIGNATURE_BYTES, detectImageType } from "./image-signature.js";
import { walkJpeg } from "./image-structure-jpeg.js";
import { ascii, dimensions, invalid, missing, u16le, u24le, u32be, u32le, type Span } from "./image-structure-span.js";
import { IMAGE_TYPE_NAMES, MAX_IMAGE_SCAN_BYTES, type ImageType } from "./limits.js";

/** What a file's bytes prove about it. */
export type ImageStructure =
  | { kind: "valid"; width: number; height: number }
  /** `problem` is for researchers, e.g. "content is not a valid PNG image (its IHDR checksum is wrong)". */
  | { kind: "invalid"; problem: string }
  /**
   * The caller must read bytes [from, upTo) (or more, from `from`) and call again with them, passing this answer
   * back: the walk goes on where it stands and needs nothing before `from`. upTo lies past the bytes given, never
   * past the file's size or MAX_IMAGE_SCAN_BYTES. Only a JPEG's walk goes on past byte 0, where `markerAt` is the
   * start of the marker being read (fill bytes may run from it to `from`).
   */
  | { kind: "need-bytes"; from: number; upTo: number; markerAt: number };

/** The answer that asks for more bytes, which the next call gets back. */
export type NeedBytes = Extract<ImageStructure, { kind: "need-bytes" }>;
/** A final answer. */
export type ImageVerdict = Exclude<ImageStructure, NeedBytes>;

/**
 * Bytes a caller should read first. PNG, WebP and GIF need at most 782 (a full global colour table); a JPEG's
 * frame header follows its metadata, and one APP segment (EXIF with its thumbnail) holds up to 64 KiB, so most
 * camera JPEGs are settled in one read. A range read costs about one round trip whether it brings 1 KiB or
 * 64 KiB, and the round trip is what dominates; the rare JPEG with more metadata asks for the rest.
 */
export const IMAGE_HEAD_BYTES = 64 * 1024;

/**
 * What to read first for a file of this type: PNG, GIF and WebP prove themselves within 782 bytes, so a kilobyte
 * does; a JPEG gets IMAGE_HEAD_BYTES, enough to pass most EXIF blocks in one read.
 */
export const imageHeadBytes = (type: ImageType): number => (type === "image/jpeg" ? IMAGE_HEAD_BYTES : 1024);

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
function inspectPng(head: Span): ImageStructure {
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

/** Signature, logical screen descriptor, global colour table, then a block introducer. */
function inspectGif(head: Span): ImageStructure {
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
function inspectWebp(head: Span): ImageStructure {
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
function inspectVp8(head: Span): ImageStructure {
  const b = head.bytes;
  const frameTag = b[20]!;
  if (frameTag & 0x01) return invalid(head, "its first frame is not a key frame");
  if (((frameTag >> 1) & 0x07) > 3) return invalid(head, "its VP8 version is unknown");
  if (!(frameTag & 0x10)) return invalid(head, "its first frame is not shown");
  if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return invalid(head, "its VP8 start code is wrong");
  return dimensions(head, u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
}

/** A lossless bitstream: signature 0x2F, 14-bit width−1 and height−1, alpha bit, version 0. */
function inspectVp8l(head: Span): ImageStructure {
  const b = head.bytes;
  if (b[20] !== 0x2f) return invalid(head, "its VP8L signature is wrong");
  const bits = u32le(b, 21);
  if (bits >>> 29 !== 0) return invalid(head, "its VP8L version is unknown");
  return dimensions(head, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
}

const INSPECTORS: Record<ImageType, (head: Span) => ImageStructure> = {
  "image/png": inspectPng,
  "image/jpeg": (head) => walkJpeg(head, { from: 2, markerAt: 2 }),
  "image/gif": inspectGif,
  "image/webp": inspectWebp,
};

/**
 * Whether a file is structurally the declared image, from its bytes at hand and its size: its first
 * `bytes.length` bytes (the whole file when it is that short), or with `resume` (an earlier need-bytes answer for
 * this file) its bytes from `resume.from` on. Strict, bounded and total: never throws on any bytes, never loops
 * on them, and asks for more only up to the file's size and MAX_IMAGE_SCAN_BYTES.
 */
export function inspectImageStructure(
  declaredType: ImageType,
  bytes: Uint8Array,
  totalSize: number,
  resume: NeedBytes | null = null,
): ImageStructure {
  if (!Number.isSafeInteger(totalSize) || totalSize < 0) {
    throw new RangeError(`totalSize must be a whole number of bytes, not ${totalSize}`);
  }
  const start = resume?.from ?? 0;
  const span: Span = {
    bytes: bytes.subarray(0, Math.max(0, totalSize - start)),
    start,
    size: totalSize,
    type: declaredType,
  };
  if (resume && start > 0) {
    if (declaredType !== "image/jpeg") throw new RangeError("only a JPEG's walk goes on past its first bytes");
    return walkJpeg(span, resume);
  }
  const wait = missing(span, Math.min(SIGNATURE_BYTES, totalSize), "signature");
  if (wait) return wait;
  const actual = detectImageType(span.bytes);
  const declared = IMAGE_TYPE_NAMES[declaredType];
  if (actual === null) return { kind: "invalid", problem: `content is not a ${declared} image` };
  if (actual !== declaredType) {
    return { kind: "invalid", problem: `content is a ${IMAGE_TYPE_NAMES[actual]} image, not the declared ${declared}` };
  }
  return INSPECTORS[declaredType](span);
}

/**
 * The file's bytes [from, end), chunk by chunk as they arrive (a streamed read); null when it is no longer the file
 * being checked (changed or gone). The scan stops reading once it has its answer: breaking off the iteration must
 * end the read.
 */
export type StreamFileBytes = (from: number, end: number) => Promise<AsyncIterable<Uint8Array> | null>;

/**
 * Checks a file's structure from its first bytes (`head`, when the caller has them already) and, when the walk
 * needs more, one streamed read from where it stands to the scan limit. Chunks are looked at as they arrive and
 * let go: the scan keeps at most the few bytes of a header that spans two chunks, however far a hostile file makes
 * it read. Null when `stream` answered null.
 */
export async function scanImageStructure(
  type: ImageType,
  size: number,
  stream: StreamFileBytes,
  head: Uint8Array = new Uint8Array(),
): Promise<ImageVerdict | null> {
  let answer = inspectImageStructure(type, head, size);
  if (answer.kind !== "need-bytes") return answer;
  const chunks = await stream(answer.from, Math.min(size, MAX_IMAGE_SCAN_BYTES));
  if (!chunks) return null;
  /** What the walk needs of earlier chunks: the few bytes of a header that spans two, from `keptFrom` on. */
  let kept = new Uint8Array();
  let keptFrom = answer.from;
  let at = answer.from;
  for await (const chunk of chunks) {
    const chunkStart = at;
    at += chunk.length;
    // Every step of the walk whose bytes end in this chunk, each given from where it stands.
    while (answer.upTo <= at) {
      const bytes =
        answer.from >= chunkStart
          ? chunk.subarray(answer.from - chunkStart)
          : concat(kept.subarray(answer.from - keptFrom), chunk.subarray(0, answer.upTo - chunkStart));
      answer = inspectImageStructure(type, bytes, size, answer);
      if (answer.kind !== "need-bytes") return answer;
    }
    // Copied, so that the chunk itself can go.
    if (answer.from >= at) kept = new Uint8Array();
    else if (answer.from >= chunkStart) kept = chunk.slice(answer.from - chunkStart);
    else kept = concat(kept.subarray(answer.from - keptFrom), chunk);
    keptFrom = answer.from;
  }
  throw new Error(`the read of ${type} bytes ended at byte ${at}, before byte ${answer.upTo} the check needs`);
}

const concat = (first: Uint8Array, second: Uint8Array) => {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
};
