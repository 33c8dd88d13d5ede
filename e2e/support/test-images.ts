import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

export interface TestImage {
  name: string;
  mimeType: string;
  buffer: Buffer;
  md5: string;
  /** On disk, for file pickers (Playwright limits in-memory payloads). */
  path: string;
}

const imageDir = path.join(os.tmpdir(), `study-uploader-e2e-${process.pid}`);

function save(name: string, mimeType: string, buffer: Buffer): TestImage {
  mkdirSync(imageDir, { recursive: true });
  const file = path.join(imageDir, name);
  writeFileSync(file, buffer);
  return { name, mimeType, buffer, md5: createHash("md5").update(buffer).digest("base64"), path: file };
}

/**
 * A real PNG of roughly `approxBytes`: random pixels do not compress, so the encoded size tracks the pixel count.
 * A calm gradient is blended in so screenshots show distinguishable images.
 */
export function pngImage(name: string, approxBytes: number): TestImage {
  const pixels = Math.max(16, Math.ceil(approxBytes / 4));
  const width = Math.max(4, Math.round(Math.sqrt(pixels)));
  const height = Math.max(4, Math.ceil(pixels / width));
  const png = new PNG({ width, height });
  const noise = randomBytes(width * height);
  const hue = createHash("md5").update(name).digest();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const n = noise[y * width + x]!;
      png.data[i] = (hue[0]! + (x * 255) / width + n / 4) & 0xff;
      png.data[i + 1] = (hue[1]! + (y * 255) / height + (n >> 2)) & 0xff;
      png.data[i + 2] = (hue[2]! ^ n) & 0xff;
      png.data[i + 3] = 255;
    }
  }
  return save(name, "image/png", PNG.sync.write(png, { deflateLevel: 0, filterType: 0 }));
}

/**
 * A real baseline JPEG (smooth content, so it is small). A few random pixels in its first row make each one
 * different: the API offers an image its owner already has for reuse, and every test runs as the same owner.
 */
export function jpegImage(name: string, width = 320, height = 240): TestImage {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 160;
      data[i + 3] = 255;
    }
  }
  const noise = randomBytes(4 * Math.min(width, 16));
  for (let x = 0; x < noise.length / 4; x++) noise.copy(data, x * 4, x * 4, x * 4 + 3);
  return save(name, "image/jpeg", Buffer.from(jpeg.encode({ data, width, height }, 85).data));
}

/** Any bytes under any name and declared type: for spoofed and invalid files. */
export function rawFile(name: string, mimeType: string, buffer: Buffer): TestImage {
  return save(name, mimeType, buffer);
}

/** A mixed batch of real images from a few KiB up to near the 16 MiB limit. */
export function mixedBatch(count: number, options: { largest?: number } = {}): TestImage[] {
  const sizes = [4 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 2 * 1024 * 1024, options.largest ?? 15 * 1024 * 1024];
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return i % 5 === 4 ? jpegImage(`scan-${n}.jpg`) : pngImage(`scan-${n}.png`, sizes[i % sizes.length]!);
  });
}
