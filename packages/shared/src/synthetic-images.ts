import { crc32 } from "./crc32.js";
import { IMAGE_TYPE_NAMES, type ImageType } from "./limits.js";

export interface ImageDimensions {
  width: number;
  height: number;
}

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const be32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const be16 = (n: number) => [n >>> 8, n & 0xff];
const le16 = (n: number) => [n & 0xff, n >>> 8];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

function pngHead({ width, height }: ImageDimensions): number[] {
  // 8-bit RGBA, deflate, adaptive filtering, not interlaced.
  const ihdr = [...ascii("IHDR"), ...be32(width), ...be32(height), 8, 6, 0, 0, 0];
  return [0x89, ...ascii("PNG\r\n\x1a\n"), ...be32(13), ...ihdr, ...be32(crc32(Uint8Array.from(ihdr)))];
}

function jpegHead({ width, height }: ImageDimensions): number[] {
  const app0 = [0xff, 0xe0, ...be16(16), ...ascii("JFIF\0"), 1, 1, 0, ...be16(1), ...be16(1), 0, 0];
  // Baseline, 8-bit, three components (Y at 2×2 sampling, Cb and Cr at 1×1).
  const components = [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sof0 = [0xff, 0xc0, ...be16(17), 8, ...be16(height), ...be16(width), 3, ...components];
  return [0xff, 0xd8, ...app0, ...sof0];
}

function gifHead({ width, height }: ImageDimensions): number[] {
  // No global colour table; an image descriptor follows the screen descriptor.
  const screen = [...le16(width), ...le16(height), 0, 0, 0];
  const image = [0x2c, ...le16(0), ...le16(0), ...le16(width), ...le16(height), 0];
  return [...ascii("GIF89a"), ...screen, ...image];
}

function webpHead({ width, height }: ImageDimensions, size: number): number[] {
  // One lossless (VP8L) chunk fills the RIFF: signature, 14-bit width−1 and height−1, no alpha, version 0.
  const vp8l = [0x2f, ...le32((width - 1) | ((height - 1) << 14))];
  return [...ascii("RIFF"), ...le32(size - 8), ...ascii("WEBP"), ...ascii("VP8L"), ...le32(size - 20), ...vp8l];
}

const FORMATS: Record<ImageType, { head: (dims: ImageDimensions, size: number) => number[]; maxDimension: number }> = {
  "image/png": { head: pngHead, maxDimension: 2 ** 31 - 1 },
  "image/jpeg": { head: jpegHead, maxDimension: 0xffff },
  "image/gif": { head: gifHead, maxDimension: 0xffff },
  "image/webp": { head: webpHead, maxDimension: 0x4000 },
};

/** The smallest synthetic image of each type: its head alone. */
export const SYNTHETIC_IMAGE_MIN_BYTES: Record<ImageType, number> = {
  "image/png": pngHead({ width: 1, height: 1 }).length,
  "image/jpeg": jpegHead({ width: 1, height: 1 }).length,
  "image/gif": gifHead({ width: 1, height: 1 }).length,
  "image/webp": webpHead({ width: 1, height: 1 }, 0).length,
};

/** getRandomValues fills at most 64 KiB per call. */
const RANDOM_CHUNK_BYTES = 65_536;

/**
 * `size` bytes that the API's structure check accepts as an image of `type` and `dims`: a valid head, then
 * random bytes, so that nothing on the way can compress them and every file is distinct. Not decodable past the
 * head: for tests, the soak and the bench, which need files of exact sizes, not pictures.
 */
export function syntheticImage(
  type: ImageType,
  size: number,
  dims: ImageDimensions = { width: 640, height: 480 },
): Uint8Array {
  const format = FORMATS[type];
  const name = IMAGE_TYPE_NAMES[type];
  const minimum = SYNTHETIC_IMAGE_MIN_BYTES[type];
  if (!Number.isSafeInteger(size) || size < minimum) {
    throw new RangeError(`a synthetic ${name} image needs at least ${minimum} bytes, not ${size}`);
  }
  for (const [side, value] of Object.entries(dims)) {
    if (!Number.isInteger(value) || value < 1 || value > format.maxDimension) {
      throw new RangeError(`a synthetic ${name} image's ${side} must be 1 to ${format.maxDimension}, not ${value}`);
    }
  }
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += RANDOM_CHUNK_BYTES) {
    crypto.getRandomValues(bytes.subarray(at, at + RANDOM_CHUNK_BYTES));
  }
  bytes.set(format.head(dims, size));
  return bytes;
}
