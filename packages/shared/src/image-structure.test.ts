import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";
import {
  IMAGE_HEAD_BYTES,
  imageHeadBytes,
  inspectImageStructure,
  scanImageStructure,
  type ImageStructure,
} from "./image-structure.js";
import { IMAGE_TYPES, IMAGE_TYPE_NAMES, MAX_IMAGE_SCAN_BYTES, MiB, type ImageType } from "./limits.js";
import { ENCODED_ELSEWHERE, encodeJpeg, encodePng, type RealImage } from "./testing/real-images.js";

const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | readonly number[] | string)[]) => {
  const arrays = parts.map((p) => (typeof p === "string" ? ascii(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((at, a) => (out.set(a, at), at + a.length), 0);
  return out;
};
const inspectWhole = (type: ImageType, bytes: Uint8Array) => inspectImageStructure(type, bytes, bytes.length);
const invalidBecause = (type: string, reason: string): ImageStructure => ({
  kind: "invalid",
  problem: `content is not a valid ${type} image (${reason})`,
});

/**
 * Scans as a caller would, from the first `firstRead` bytes, streaming the rest in chunks of `chunkBytes`; tells
 * which reads were opened and how many chunks were taken from them.
 */
async function scanByReading(type: ImageType, file: Uint8Array, firstRead: number, chunkBytes = IMAGE_HEAD_BYTES) {
  const streams: { from: number; end: number }[] = [];
  let chunksTaken = 0;
  async function* chunks(from: number, end: number) {
    for (let at = from; at < end; at += chunkBytes) {
      chunksTaken++;
      yield file.subarray(at, Math.min(end, at + chunkBytes));
    }
  }
  const answer = await scanImageStructure(
    type,
    file.length,
    async (from, end) => {
      streams.push({ from, end });
      return chunks(from, end);
    },
    file.subarray(0, firstRead),
  );
  return { answer, streams, chunksTaken };
}

const PNG_FILE = encodePng(17, 9);
const JPEG_FILE = encodeJpeg(33, 17);
const found = (what: string) => ENCODED_ELSEWHERE.find((image) => image.what.startsWith(what))!.bytes;
const WEBP_FILE = found("lossy WebP (VP8)");
const WEBP_LOSSLESS_FILE = found("lossless WebP");
const GIF_FILE = found("GIF87a");

const REAL_IMAGES: RealImage[] = [
  { what: "RGBA PNG, pngjs", type: "image/png", bytes: PNG_FILE, width: 17, height: 9 },
  { what: "RGB PNG, pngjs", type: "image/png", bytes: encodePng(1, 40, 2), width: 1, height: 40 },
  { what: "grey PNG, pngjs", type: "image/png", bytes: encodePng(300, 2, 0), width: 300, height: 2 },
  { what: "grey and alpha PNG, pngjs", type: "image/png", bytes: encodePng(5, 5, 4), width: 5, height: 5 },
  { what: "baseline JPEG (SOF0), jpeg-js", type: "image/jpeg", bytes: JPEG_FILE, width: 33, height: 17 },
  {
    what: "JPEG with a comment, jpeg-js",
    type: "image/jpeg",
    bytes: encodeJpeg(8, 300, ["hi"]),
    width: 8,
    height: 300,
  },
  ...ENCODED_ELSEWHERE,
];

describe("inspectImageStructure on real images", () => {
  it.each(REAL_IMAGES)("finds $what valid, $width × $height", ({ type, bytes, width, height }) => {
    expect(inspectWhole(type, bytes)).toEqual({ kind: "valid", width, height });
  });

  it.each(REAL_IMAGES)("reaches the same answer for $what from a 1-byte head", async ({ type, bytes }) => {
    expect((await scanByReading(type, bytes, 1)).answer).toEqual(inspectWhole(type, bytes));
  });

  it("settles PNG, GIF, WebP and small JPEGs from the first IMAGE_HEAD_BYTES", () => {
    for (const { type, bytes } of REAL_IMAGES) {
      expect(inspectImageStructure(type, bytes.subarray(0, IMAGE_HEAD_BYTES), bytes.length).kind).toBe("valid");
    }
  });

  it("settles every real image from the first imageHeadBytes(type), a kilobyte unless it is a JPEG", () => {
    for (const { type, bytes } of REAL_IMAGES) {
      expect(inspectImageStructure(type, bytes.subarray(0, imageHeadBytes(type)), bytes.length).kind).toBe("valid");
    }
    // A GIF's largest global colour table plus its header and first block still fits.
    expect(imageHeadBytes("image/gif")).toBeGreaterThanOrEqual(6 + 7 + 768 + 1);
  });

  // Every pair of distinct types, each with the other's real bytes.
  const mismatches = IMAGE_TYPES.flatMap((declared) =>
    REAL_IMAGES.filter(
      (image, i, all) => image.type !== declared && all.findIndex((o) => o.type === image.type) === i,
    ).map((image) => [declared, image] as const),
  );
  it.each(mismatches)("refuses a declared %s whose bytes are a $what", (declared, image) => {
    expect(inspectWhole(declared, image.bytes)).toEqual({
      kind: "invalid",
      problem: `content is a ${IMAGE_TYPE_NAMES[image.type]} image, not the declared ${IMAGE_TYPE_NAMES[declared]}`,
    });
  });

  it("covers every pair of distinct types", () => {
    expect(mismatches).toHaveLength(12);
  });
});

describe("inspectImageStructure without a signature", () => {
  it.each([
    ["image/png", "PNG"],
    ["image/jpeg", "JPEG"],
    ["image/gif", "GIF"],
    ["image/webp", "WebP"],
  ] as const)("refuses HTML, empty and 1-byte content declared %s", (type, name) => {
    const notIt = { kind: "invalid", problem: `content is not a ${name} image` };
    expect(inspectWhole(type, ascii("<!doctype html><html>"))).toEqual(notIt);
    expect(inspectWhole(type, new Uint8Array())).toEqual(notIt);
    expect(inspectWhole(type, Uint8Array.of(0x89))).toEqual(notIt);
    expect(inspectWhole(type, Uint8Array.of(0xff))).toEqual(notIt);
  });

  it("asks for the signature when the head is shorter than it and the file is not", () => {
    const fromStart = { kind: "need-bytes", from: 0, markerAt: 0 };
    expect(inspectImageStructure("image/png", new Uint8Array(), 5000)).toEqual({ ...fromStart, upTo: 12 });
    expect(inspectImageStructure("image/png", Uint8Array.of(0x89), 5000)).toEqual({ ...fromStart, upTo: 12 });
    expect(inspectImageStructure("image/png", Uint8Array.of(0x89), 7)).toEqual({ ...fromStart, upTo: 7 });
  });

  it("refuses a size that is not a whole number of bytes, which is the caller's mistake", () => {
    expect(() => inspectImageStructure("image/png", PNG_FILE, -1)).toThrow(RangeError);
    expect(() => inspectImageStructure("image/png", PNG_FILE, Number.NaN)).toThrow(RangeError);
  });

  it("goes on past the first bytes only in a JPEG's walk, which is the caller's mistake to ask of another type", () => {
    const resume = { kind: "need-bytes", from: 20, upTo: 33, markerAt: 20 } as const;
    expect(() => inspectImageStructure("image/png", PNG_FILE.subarray(20), PNG_FILE.length, resume)).toThrow(
      RangeError,
    );
  });

  it("ignores head bytes past the file's size", () => {
    expect(inspectImageStructure("image/png", PNG_FILE, 20)).toEqual(
      invalidBecause("PNG", "the file ends before its IHDR chunk is complete"),
    );
  });
});

/** The real PNG with IHDR data bytes replaced (offsets within the 13 data bytes) and the checksum redone. */
function withIhdr(changes: Record<number, number>, options: { fixCrc?: boolean } = {}) {
  const bytes = PNG_FILE.slice();
  for (const [offset, value] of Object.entries(changes)) bytes[16 + Number(offset)] = value;
  if (options.fixCrc ?? true) new DataView(bytes.buffer).setUint32(29, crc32(bytes.subarray(12, 29)));
  return bytes;
}

describe("PNG", () => {
  const PNG_SIGNATURE = PNG_FILE.subarray(0, 8);

  it.each([
    [
      "a signature followed by HTML",
      concat(PNG_SIGNATURE, "<html><body>hello</body></html>"),
      "its first chunk is not IHDR",
    ],
    ["a wrong IHDR checksum", withIhdr({ 0: 1 }, { fixCrc: false }), "its IHDR checksum is wrong"],
    ["a truncated IHDR", PNG_FILE.subarray(0, 30), "the file ends before its IHDR chunk is complete"],
    ["the signature alone", PNG_SIGNATURE, "the file ends before its IHDR chunk is complete"],
    [
      "a 14-byte IHDR",
      concat(PNG_SIGNATURE, [0, 0, 0, 14], PNG_FILE.subarray(12)),
      "its IHDR chunk is 14 bytes long instead of 13",
    ],
    ["width 0", withIhdr({ 0: 0, 1: 0, 2: 0, 3: 0 }), "its width is 0"],
    ["height 0", withIhdr({ 4: 0, 5: 0, 6: 0, 7: 0 }), "its height is 0"],
    ["width 2^31", withIhdr({ 0: 0x80, 1: 0, 2: 0, 3: 0 }), "its dimensions are out of range"],
    ["bit depth 3", withIhdr({ 8: 3 }), "bit depth 3 with colour type 6 is not a valid combination"],
    ["16-bit palette", withIhdr({ 8: 16, 9: 3 }), "bit depth 16 with colour type 3 is not a valid combination"],
    ["colour type 5", withIhdr({ 8: 8, 9: 5 }), "bit depth 8 with colour type 5 is not a valid combination"],
    ["compression 1", withIhdr({ 10: 1 }), "its compression method 1 is unknown"],
    ["filter 1", withIhdr({ 11: 1 }), "its filter method 1 is unknown"],
    ["interlace 2", withIhdr({ 12: 2 }), "its interlace method 2 is unknown"],
  ])("refuses %s", (_, bytes, reason) => {
    expect(inspectWhole("image/png", bytes)).toEqual(invalidBecause("PNG", reason));
  });

  it("takes width and height from IHDR, up to 2^31 − 1, and accepts Adam7 interlacing", () => {
    expect(inspectWhole("image/png", withIhdr({ 0: 0x7f, 1: 0xff, 2: 0xff, 3: 0xff, 12: 1 }))).toEqual({
      kind: "valid",
      width: 2 ** 31 - 1,
      height: 9,
    });
  });

  it("asks for the IHDR chunk when the head holds only the signature", () => {
    expect(inspectImageStructure("image/png", PNG_FILE.subarray(0, 12), PNG_FILE.length)).toEqual({
      kind: "need-bytes",
      from: 0,
      upTo: 33,
      markerAt: 0,
    });
  });
});

const SOI = [0xff, 0xd8];
const APP0 = [0xff, 0xe0, 0x00, 0x10, ...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
const frame = (marker: number, height: number, width: number, precision = 8) => [
  0xff,
  marker,
  ...[0, 17, precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 3],
  ...[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
];
const comment = (length: number) => [
  0xff,
  0xfe,
  length >> 8,
  length & 0xff,
  ...new Array<number>(length - 2).fill(0x41),
];
/** The real JPEG with `segments` inserted right after its SOI. */
const jpegWith = (...segments: (number[] | Uint8Array)[]) => concat(SOI, ...segments, JPEG_FILE.subarray(2));

describe("JPEG", () => {
  it.each([
    ["SOI followed by HTML", concat(SOI, [0xff], "<html>"), "it has an unknown marker 0x3C at byte 2"],
    [
      "garbage after a complete APP0",
      concat(SOI, APP0, "<html><body>"),
      "it has no marker where one should be, at byte 20",
    ],
    [
      "scan data before any frame header",
      concat(SOI, APP0, [0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0]),
      "its scan data starts before any frame header",
    ],
    ["an EOI before any frame header", concat(SOI, APP0, [0xff, 0xd9]), "it ends before any frame header"],
    ["a second SOI", concat(SOI, SOI, APP0), "it has a second start-of-image marker"],
    ["a stuffed zero outside a scan", concat(SOI, [0xff, 0x00, 0, 0]), "it has an unknown marker 0x00 at byte 2"],
    ["a segment length below 2", concat(SOI, [0xff, 0xe0, 0, 1], APP0), "its marker 0xE0 has an impossible length 1"],
    [
      "a segment past the end of the file",
      concat(SOI, [0xff, 0xe1, 0x40, 0], APP0),
      "its marker 0xE1 segment runs past the end of the file",
    ],
    ["a file that ends between segments", concat(SOI, APP0), "the file ends before its frame header is complete"],
    [
      "a file that ends inside fill bytes",
      concat(SOI, APP0, [0xff, 0xff]),
      "the file ends before its frame header is complete",
    ],
    [
      "height 0 (left to a DNL marker)",
      concat(SOI, APP0, frame(0xc0, 0, 640)),
      "its height is left to a later DNL marker, which is not supported",
    ],
    ["width 0", concat(SOI, APP0, frame(0xc0, 480, 0)), "its width is 0"],
    [
      "a frame header with no components",
      concat(SOI, [0xff, 0xc0, 0, 8, 8, 0, 1, 0, 1, 0]),
      "its frame header's length does not match its number of components",
    ],
    [
      "a frame header shorter than its fields",
      concat(SOI, [0xff, 0xc0, 0, 5, 8, 0, 1]),
      "its frame header is too short",
    ],
    [
      "9-bit samples in a baseline frame",
      concat(SOI, frame(0xc0, 1, 1, 9)),
      "its sample precision of 9 bits is not allowed",
    ],
  ])("refuses %s", (_, bytes, reason) => {
    expect(inspectWhole("image/jpeg", bytes)).toEqual(invalidBecause("JPEG", reason));
  });

  it.each([
    ["fill bytes before a marker", jpegWith([0xff, 0xff, 0xff]), 33, 17],
    ["a restart marker (no length) before the frame", jpegWith([0xff, 0xd3]), 33, 17],
    ["DHT, DQT and DRI before the frame", jpegWith([0xff, 0xc4, 0, 2], [0xff, 0xdd, 0, 4, 0, 0]), 33, 17],
    ["an extended 12-bit frame (SOF1)", concat(SOI, APP0, frame(0xc1, 2, 3, 12)), 3, 2],
    ["a lossless 16-bit frame (SOF3)", concat(SOI, frame(0xc3, 65535, 65535, 16)), 65535, 65535],
    ["an arithmetic progressive frame (SOF10)", concat(SOI, frame(0xca, 7, 5)), 5, 7],
  ])("accepts %s", (_, bytes, width, height) => {
    expect(inspectWhole("image/jpeg", bytes)).toEqual({ kind: "valid", width, height });
  });

  it("asks for the next marker where the walk stands, skipping the segment before it unread, then accepts it", () => {
    const bytes = concat(SOI, comment(1000), frame(0xc0, 5, 7));
    const answer = inspectImageStructure("image/jpeg", bytes.subarray(0, 300), bytes.length);
    // The comment fills bytes 2 to 1003: its body is not needed, only the marker after it.
    expect(answer).toEqual({ kind: "need-bytes", from: 1004, upTo: 1006, markerAt: 1004 });
    if (answer.kind !== "need-bytes") return;
    expect(inspectImageStructure("image/jpeg", bytes.subarray(1004), bytes.length, answer)).toEqual({
      kind: "valid",
      width: 7,
      height: 5,
    });
  });

  it("asks for a frame header's fields only, and never past the file's end", () => {
    const bytes = concat(SOI, APP0, frame(0xc0, 5, 7));
    // The frame's marker is at 20, its code at 21; precision, height, width and components end at 30.
    expect(inspectImageStructure("image/jpeg", bytes.subarray(0, 26), bytes.length)).toEqual({
      kind: "need-bytes",
      from: 21,
      upTo: 30,
      markerAt: 20,
    });
    expect(inspectImageStructure("image/jpeg", bytes.subarray(0, 26), 26)).toEqual(
      invalidBecause("JPEG", "its marker 0xC0 segment runs past the end of the file"),
    );
  });

  it("names the byte where a marker's fill bytes began, though they came in two reads", () => {
    const bytes = concat(SOI, new Array<number>(10).fill(0xff), [0x3c]);
    const answer = inspectImageStructure("image/jpeg", bytes.subarray(0, 12), bytes.length);
    expect(answer).toEqual({ kind: "need-bytes", from: 12, upTo: 13, markerAt: 2 });
    if (answer.kind !== "need-bytes") return;
    expect(inspectImageStructure("image/jpeg", bytes.subarray(12), bytes.length, answer)).toEqual(
      invalidBecause("JPEG", "it has an unknown marker 0x3C at byte 2"),
    );
  });

  it("streams on from where the walk stands, and stops reading at its answer", async () => {
    const bytes = concat(jpegWith(comment(65535), comment(65535), comment(1000)), new Uint8Array(MiB));
    const { answer, streams, chunksTaken } = await scanByReading("image/jpeg", bytes, IMAGE_HEAD_BYTES);
    expect(answer).toEqual({ kind: "valid", width: 33, height: 17 });
    // The first comment's marker is at 2 and each is 65,537 bytes long: the second one's is the first not in the head.
    expect(streams).toEqual([{ from: 65539, end: bytes.length }]);
    // The frame header is in the read's second chunk; the megabyte after it is never taken.
    expect(chunksTaken).toBe(2);
  });

  it(`refuses a frame header past the first ${MAX_IMAGE_SCAN_BYTES} bytes, however it was read`, async () => {
    const bytes = jpegWith(...Array.from({ length: 65 }, () => comment(65535)));
    const beyond = invalidBecause("JPEG", "its frame header is not within the first 4 MiB");
    expect(inspectWhole("image/jpeg", bytes)).toEqual(beyond);
    const { answer, streams } = await scanByReading("image/jpeg", bytes, IMAGE_HEAD_BYTES);
    expect(answer).toEqual(beyond);
    // One read, never past the scan limit.
    expect(streams).toEqual([{ from: 65539, end: MAX_IMAGE_SCAN_BYTES }]);
  });

  it("reads a file of fill bytes in one read, a chunk at a time", async () => {
    const bytes = concat(SOI, new Array<number>(3 * 1024 * 1024).fill(0xff));
    const { answer, streams } = await scanByReading("image/jpeg", bytes, 1024);
    expect(answer).toEqual(invalidBecause("JPEG", "the file ends before its frame header is complete"));
    expect(streams).toHaveLength(1);
  });
});

describe("scanImageStructure", () => {
  it("reads from the start when it is given no head", async () => {
    const { answer, streams, chunksTaken } = await scanByReading("image/png", PNG_FILE, 0);
    expect(answer).toEqual({ kind: "valid", width: 17, height: 9 });
    expect(streams).toEqual([{ from: 0, end: PNG_FILE.length }]);
    expect(chunksTaken).toBe(1);
  });

  it("keeps the bytes of a header that spans chunks, however small they are", async () => {
    const bytes = jpegWith(comment(1000), [0xff, 0xff], comment(3));
    for (const chunkBytes of [1, 2, 3, 7]) {
      expect((await scanByReading("image/jpeg", bytes, 12, chunkBytes)).answer).toEqual(
        inspectWhole("image/jpeg", bytes),
      );
    }
  });

  it("answers null when the file is no longer there to read", async () => {
    expect(await scanImageStructure("image/jpeg", JPEG_FILE.length, async () => null)).toBeNull();
  });

  it("refuses a read that ends before the bytes the walk needs", async () => {
    async function* short() {
      yield JPEG_FILE.subarray(0, 4);
    }
    const scan = scanImageStructure("image/jpeg", JPEG_FILE.length, async () => short());
    await expect(scan).rejects.toThrow(/ended at byte 4/);
  });
});

const gif = (flags: number, ...rest: (number[] | string)[]) => concat("GIF89a", [2, 0, 3, 0, flags, 0, 0], ...rest);

describe("GIF", () => {
  it.each([
    [
      "a header followed by HTML",
      gif(0, "<html>"),
      "its header is not followed by an image, an extension or the trailer",
    ],
    [
      "a colour table followed by HTML",
      concat(GIF_FILE.subarray(0, 61), "<html>"),
      "its header is not followed by an image, an extension or the trailer",
    ],
    ["a truncated colour table", GIF_FILE.subarray(0, 40), "the file ends before its global colour table is complete"],
    [
      "a truncated screen descriptor",
      GIF_FILE.subarray(0, 12),
      "the file ends before its logical screen descriptor is complete",
    ],
    ["width 0", concat("GIF89a", [0, 0, 3, 0, 0, 0, 0, 0x2c]), "its width is 0"],
    ["height 0", concat("GIF87a", [2, 0, 0, 0, 0, 0, 0, 0x2c]), "its height is 0"],
  ])("refuses %s", (_, bytes, reason) => {
    expect(inspectWhole("image/gif", bytes)).toEqual(invalidBecause("GIF", reason));
  });

  it.each([
    ["an image descriptor", gif(0, [0x2c])],
    ["an extension", gif(0, [0x21, 0xf9])],
    ["the trailer", gif(0, [0x3b])],
    ["a 2-colour table, then an image", gif(0x80, [0, 0, 0, 255, 255, 255, 0x2c])],
  ])("accepts a header followed by %s", (_, bytes) => {
    expect(inspectWhole("image/gif", bytes)).toEqual({ kind: "valid", width: 2, height: 3 });
  });

  it("asks for a full 256-colour table", () => {
    expect(inspectImageStructure("image/gif", gif(0x87).subarray(0, 13), 2000)).toEqual({
      kind: "need-bytes",
      from: 0,
      upTo: 13 + 768 + 1,
      markerAt: 0,
    });
  });
});

/** A WebP file: RIFF header (size from the parts unless given), WEBP, then the chunks. */
function webp(chunks: (number[] | Uint8Array | string)[], riffSize?: number) {
  const body = concat("WEBP", ...chunks);
  const size = riffSize ?? body.length;
  return concat("RIFF", [size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24], body);
}
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const VP8L_PAYLOAD = WEBP_LOSSLESS_FILE.subarray(20);
const VP8_PAYLOAD = WEBP_FILE.subarray(20);

describe("WebP", () => {
  it.each([
    [
      "bytes appended past the RIFF",
      concat(WEBP_FILE, [0, 0]),
      "its RIFF header gives a size of 104 bytes, but the file has 106",
    ],
    [
      "a RIFF size larger than the file",
      WEBP_FILE.subarray(0, 90),
      "its RIFF header gives a size of 104 bytes, but the file has 90",
    ],
    [
      "a RIFF size of 0",
      webp(["VP8L", le32(VP8L_PAYLOAD.length), VP8L_PAYLOAD], 0),
      "its RIFF header gives a size of 8 bytes, but the file has 138",
    ],
    [
      "an unknown first chunk",
      webp(["ALPH", le32(VP8_PAYLOAD.length), VP8_PAYLOAD]),
      "its first chunk is not VP8, VP8L or VP8X",
    ],
    ["HTML after WEBP", webp(["<html><body>hello"]), "its first chunk is not VP8, VP8L or VP8X"],
    ["no chunk at all", webp([]), "the file ends before its first chunk is complete"],
    ["a chunk past the end", webp(["VP8L", le32(1000), VP8L_PAYLOAD]), "its VP8L chunk runs past the end of the file"],
    ["a VP8 chunk too short", webp(["VP8 ", le32(4), VP8_PAYLOAD.subarray(0, 4)]), "its VP8 chunk is too short"],
    [
      "a VP8 inter frame",
      webp(["VP8 ", le32(10), [0xd1, 1, 0, 0x9d, 1, 0x2a, 5, 0, 3, 0]]),
      "its first frame is not a key frame",
    ],
    [
      "a VP8 frame not shown",
      webp(["VP8 ", le32(10), [0xc0, 1, 0, 0x9d, 1, 0x2a, 5, 0, 3, 0]]),
      "its first frame is not shown",
    ],
    [
      "a VP8 version 4",
      webp(["VP8 ", le32(10), [0xd8, 1, 0, 0x9d, 1, 0x2a, 5, 0, 3, 0]]),
      "its VP8 version is unknown",
    ],
    [
      "a VP8 start code missing",
      webp(["VP8 ", le32(10), [0xd0, 1, 0, 0x9d, 1, 0x2b, 5, 0, 3, 0]]),
      "its VP8 start code is wrong",
    ],
    ["a VP8 width of 0", webp(["VP8 ", le32(10), [0xd0, 1, 0, 0x9d, 1, 0x2a, 0, 0xc0, 3, 0]]), "its width is 0"],
    ["a VP8L signature wrong", webp(["VP8L", le32(5), [0x2e, 0, 0, 0, 0]]), "its VP8L signature is wrong"],
    ["a VP8L version 1", webp(["VP8L", le32(5), [0x2f, 0, 0, 0, 0x20]]), "its VP8L version is unknown"],
    [
      "a VP8X chunk of 12 bytes",
      webp(["VP8X", le32(12), new Array<number>(12).fill(0)]),
      "its VP8X chunk is not 10 bytes long",
    ],
    [
      "a VP8X canvas over 2^32 pixels",
      webp(["VP8X", le32(10), [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]),
      "its canvas is larger than WebP allows",
    ],
  ])("refuses %s", (_, bytes, reason) => {
    expect(inspectWhole("image/webp", bytes)).toEqual(invalidBecause("WebP", reason));
  });

  it("takes 14-bit VP8L and 24-bit VP8X dimensions", () => {
    expect(inspectWhole("image/webp", webp(["VP8L", le32(5), [0x2f, 0xff, 0xff, 0xff, 0x0f]]))).toEqual({
      kind: "valid",
      width: 16384,
      height: 16384,
    });
    const canvas = [0, 0, 0, 0, 0xff, 0xff, 0x00, 0xff, 0x00, 0x00];
    expect(inspectWhole("image/webp", webp(["VP8X", le32(10), canvas]))).toEqual({
      kind: "valid",
      width: 65536,
      height: 256,
    });
  });
});

/** Files that reach deep into each inspector: noise, signatures then noise, damaged real images, JPEG segments, WebP chunks. */

const hostileFile: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(
      fc.constantFrom(
        PNG_FILE.subarray(0, 16),
        Uint8Array.of(0xff, 0xd8, 0xff),
        ascii("GIF89a"),
        WEBP_FILE.subarray(0, 16),
      ),
      fc.uint8Array({ maxLength: 900 }),
    )
    .map(([signature, rest]) => concat(signature, rest)),
  fc
    .tuple(
      fc.constantFrom(...REAL_IMAGES.map((image) => image.bytes)),
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
      fc.option(fc.nat()),
    )
    .map(([real, changes, cut]) => {
      const bytes = real.slice();
      for (const [at, value] of changes) bytes[at % bytes.length] = value;
      return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
    }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          [0xff],
          [0xff, 0xd0],
          [0xff, 0x01],
          [0xff, 0xda],
          [0xff, 0xd9],
          [0xff, 0xc0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0],
        ),
        fc
          .tuple(fc.integer({ min: 0xc0, max: 0xfe }), fc.nat(40))
          .map(([marker, length]) => [0xff, marker, 0, length, ...new Array<number>(Math.max(0, length - 2)).fill(0)]),
        fc.uint8Array({ maxLength: 4 }).map((bytes) => [...bytes]),
      ),
      { maxLength: 30 },
    )
    .map((segments) => concat(SOI, ...segments)),
  fc
    .tuple(fc.constantFrom("VP8 ", "VP8L", "VP8X", "ALPH"), fc.uint8Array({ maxLength: 40 }))
    .map(([chunk, rest]) => webp([chunk, rest])),
);
const imageType = fc.constantFrom(...IMAGE_TYPES);

describe("inspectImageStructure on hostile bytes", () => {
  it("never throws, and asks only for more bytes, within the file and the scan limit", () => {
    fc.assert(
      fc.property(imageType, hostileFile, fc.nat(), fc.nat(10 * MiB), (type, file, cut, beyond) => {
        const head = file.subarray(0, cut % (file.length + 1));
        // The file as generated, and a larger one of which only this head is known.
        for (const totalSize of [file.length, file.length + beyond]) {
          const answer = inspectImageStructure(type, head, totalSize);
          if (answer.kind !== "need-bytes") continue;
          expect(answer.upTo).toBeGreaterThan(Math.max(answer.from, head.length));
          expect(answer.upTo).toBeLessThanOrEqual(Math.min(totalSize, MAX_IMAGE_SCAN_BYTES));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("reaches, by streaming what it asks for in chunks of any size, the answer the whole file gives", async () => {
    await fc.assert(
      fc.asyncProperty(
        imageType,
        hostileFile,
        fc.nat(),
        fc.integer({ min: 1, max: 1100 }),
        async (type, file, cut, chunkBytes) => {
          const { answer, streams } = await scanByReading(type, file, cut % (file.length + 1), chunkBytes);
          expect(answer).toEqual(inspectWhole(type, file));
          expect(streams.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("reaches the same answer however little each read brings", () => {
    fc.assert(
      fc.property(imageType, hostileFile, fc.nat(), (type, file, cut) => {
        // Exactly what each answer asks for, no window: every step of every walk is resumed at least once.
        let answer = inspectImageStructure(type, file.subarray(0, cut % (file.length + 1)), file.length);
        while (answer.kind === "need-bytes") {
          answer = inspectImageStructure(type, file.subarray(answer.from, answer.upTo), file.length, answer);
        }
        expect(answer).toEqual(inspectWhole(type, file));
      }),
      { numRuns: 3000 },
    );
  });
});
