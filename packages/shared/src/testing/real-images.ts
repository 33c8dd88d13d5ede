import jpeg from "jpeg-js";
import { PNG, type ColorType } from "pngjs";
import type { ImageType } from "../limits.js";

/** A genuinely encoded image and what a decoder reports of it. */
export interface RealImage {
  what: string;
  type: ImageType;
  bytes: Uint8Array;
  width: number;
  height: number;
}

const noise = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 97 + 13) % 256);

/** A PNG encoded by pngjs from noisy RGBA pixels, stored as `colorType` (6: RGBA, 2: RGB, 0: grey, ...). */
export function encodePng(width: number, height: number, colorType: ColorType = 6) {
  const png = new PNG({ width, height });
  png.data = Buffer.from(noise(width * height * 4));
  return new Uint8Array(PNG.sync.write(png, { colorType }));
}

/** A baseline JPEG (SOF0) encoded by jpeg-js; comments become COM segments ahead of the frame header. */
export function encodeJpeg(width: number, height: number, comments: string[] = []) {
  const data = Buffer.from(noise(width * height * 4));
  return new Uint8Array(jpeg.encode({ data, width, height, comments }, 80).data);
}

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/**
 * Files made on this workspace's machine from random pixels by Debian's encoders: cwebp and img2webp 1.2.4
 * (libwebp), Pillow 9.4.0 (GIF, progressive JPEG). Base64, since no encoder for them is an npm dependency here.
 */
export const ENCODED_ELSEWHERE: RealImage[] = [
  {
    what: "lossy WebP (VP8), cwebp -q 50",
    type: "image/webp",
    width: 5,
    height: 3,
    bytes: fromBase64(
      "UklGRmAAAABXRUJQVlA4IFQAAADQAQCdASoFAAMAAsBMJbACdAD0chwgAAD7yP90fAx46nmMYf/WiROQITGnzgVnkA0M4egLODnDwFef" +
        "J7k5+x8/Ns/+X4LP2VL4pKn4rj+Tfl4AAAA=",
    ),
  },
  {
    what: "lossless WebP (VP8L), cwebp -lossless",
    type: "image/webp",
    width: 5,
    height: 3,
    bytes: fromBase64(
      "UklGRoIAAABXRUJQVlA4THUAAAAvBIAAAHegJpKt5ufuE2o8IAA76EMECjCSWqQojWw1GvRNEWiKR6eE2LOByMhYpZFsNT+pbymGTqmC" +
        "NvA59ICLev7DUe5QQtOA7X9rncRelG/Q+CvDqb3qyaiM17zpCxQEAIHoeGCFG+5aYYRlEf2PrpzVewYA",
    ),
  },
  {
    what: "lossy WebP with alpha (VP8X, ALPH, VP8), cwebp -q 50 of an RGBA PNG",
    type: "image/webp",
    width: 6,
    height: 4,
    bytes: fromBase64(
      "UklGRoAAAABXRUJQVlA4WAoAAAAQAAAABQAAAwAAQUxQSBkAAAAA/3y7N/qddM+Jabq2qVoQ54mUgug6rzcKAFZQOCBAAAAAsAEAnQEq" +
        "BgAEAALATCWwAnQA9G0iKAD6TXf3g/TWmO/6wLAzHCGwNn92pLcwjasaXYvJT8f3KI70D44lloYIAA==",
    ),
  },
  {
    what: "animated WebP (VP8X, ANIM, two ANMF frames), img2webp -lossy",
    type: "image/webp",
    width: 4,
    height: 6,
    bytes: fromBase64(
      "UklGRvoAAABXRUJQVlA4WAoAAAACAAAAAwAABQAAQU5JTQYAAAD/////AABBTk1GZAAAAAAAAAAAAAMAAAUAAGQAAAJWUDggTAAAANAB" +
        "AJ0BKgQABgACwEwlkAJ0AQ7+A44AAP1SaAa03wFEwRPh/aocMhv4foOA1hMfw0fvP3DN3HTUvZ5ZI3o69ArMeQiyHMTPyK/VoABBTk1G" +
        "YgAAAAAAAAAAAAMAAAUAAGQAAABWUDggSgAAALQBAJ0BKgQABgAAAEwlsAJ0AQ4j/IAA/adDII/A8eOB8lv+JzTVUajrKag3fT3c6xiN" +
        "vd2/H2kHbwrGMYj2xnbJIks1F/k3DegA",
    ),
  },
  {
    what: "GIF87a with a global colour table, Pillow",
    type: "image/gif",
    width: 3,
    height: 5,
    bytes: fromBase64(
      "R0lGODdhAwAFAIMAAJlmAJkzMzOZM2bMMwCZZjOZZpmZZgAAmcwzmWZmmf+ZmWbMmWZmzMz//wAAAAAAACwAAAAAAwAFAAAIFAALKEjA" +
        "QACCBQQMBAAwIMCBBgEBADs=",
    ),
  },
  {
    what: "animated GIF89a (NETSCAPE loop, graphic control extensions), Pillow",
    type: "image/gif",
    width: 7,
    height: 2,
    bytes: fromBase64(
      "R0lGODlhBwACAIMAADNmMzNmZgCZZmYAmTMzmZkzmcxmmf8AzAAzzJkzzGaZzMyZ/wAAAAAAAAAAAAAAACH/C05FVFNDQVBFMi4wAwEA" +
        "AAAh+QQACgAAACwAAAAABwACAAAIEgAJBCBQAIAABQMSLDhg4ACCgAAh+QQACgAAACwAAAAABwACAINm/wAzMzNmMzPMZjPMM2ZmZmb/" +
        "/2ZmZpmZmZnMmZkzM8xmmcyZmczMZv8AAAAAAAAIEgADMBgAYMEBAwkEEEDQQEGBgAA7",
    ),
  },
  {
    what: "progressive JPEG (SOF2), Pillow",
    type: "image/jpeg",
    width: 9,
    height: 4,
    bytes: fromBase64(
      "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSop" +
        "GR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo" +
        "KCj/wgARCAAEAAkDASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAME/8QAFQEBAQAAAAAAAAAAAAAAAAAAAwT/2gAMAwEAAhAD" +
        "EAAAAaaitP/EABgQAAIDAAAAAAAAAAAAAAAAAAABAhMx/9oACAEBAAEFAo5ez//EABoRAAICAwAAAAAAAAAAAAAAAAECAAMREiH/2gAI" +
        "AQMBAT8BpqRy2wz2f//EABkRAAEFAAAAAAAAAAAAAAAAAAEAAgMRIf/aAAgBAgEBPwGBo0Uv/8QAGxAAAgEFAAAAAAAAAAAAAAAAAAEC" +
        "AxESMdL/2gAIAQEABj8ClUbeS6saR//EABsQAQACAgMAAAAAAAAAAAAAAAEAIRFBMdHw/9oACAEBAAE/IQrxwaorrWCed7n/2gAMAwEA" +
        "AgADAAAAEIv/xAAXEQEBAQEAAAAAAAAAAAAAAAARAQCR/9oACAEDAQE/EBzFDJTu/8QAGBEBAAMBAAAAAAAAAAAAAAAAAQARMbH/2gAI" +
        "AQIBAT8Qxyh6Cz//xAAaEAEBAAIDAAAAAAAAAAAAAAABEQAhMUHx/9oACAEBAAE/ECIkjHQPSVHRXlkIHuZf/9k=",
    ),
  },
];
