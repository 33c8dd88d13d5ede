import { describe, expect, it } from "vitest";
import { IMAGE_HEAD_BYTES, inspectImageStructure } from "./image-structure.js";
import { IMAGE_TYPES, MiB } from "./limits.js";
import { SYNTHETIC_IMAGE_MIN_BYTES, syntheticImage } from "./synthetic-images.js";

const inspectHead = (type: (typeof IMAGE_TYPES)[number], bytes: Uint8Array) =>
  inspectImageStructure(type, bytes.subarray(0, IMAGE_HEAD_BYTES), bytes.length);

describe("syntheticImage", () => {
  const sizes = IMAGE_TYPES.flatMap((type) =>
    [SYNTHETIC_IMAGE_MIN_BYTES[type], SYNTHETIC_IMAGE_MIN_BYTES[type] + 1, 2048, 3 * MiB + 1].map(
      (size) => [type, size] as const,
    ),
  );

  it.each(sizes)("makes a %s of %i bytes that the structure check accepts", (type, size) => {
    const bytes = syntheticImage(type, size);
    expect(bytes).toHaveLength(size);
    expect(inspectHead(type, bytes)).toEqual({ kind: "valid", width: 640, height: 480 });
  });

  it.each(IMAGE_TYPES)("gives a %s the dimensions asked for, up to the format's limits", (type) => {
    for (const dims of [
      { width: 1, height: 1 },
      { width: 3, height: 7000 },
      { width: 16384, height: 16384 },
    ]) {
      expect(inspectHead(type, syntheticImage(type, 4096, dims))).toEqual({ kind: "valid", ...dims });
    }
  });

  it("makes every file distinct", () => {
    expect(syntheticImage("image/png", 4096)).not.toEqual(syntheticImage("image/png", 4096));
  });

  it.each(IMAGE_TYPES)("refuses a %s smaller than its head, saying how small it may be", (type) => {
    const minimum = SYNTHETIC_IMAGE_MIN_BYTES[type];
    expect(() => syntheticImage(type, minimum - 1)).toThrow(`needs at least ${minimum} bytes, not ${minimum - 1}`);
  });

  it("refuses dimensions the format cannot hold", () => {
    expect(() => syntheticImage("image/webp", 4096, { width: 16385, height: 1 })).toThrow(/width must be 1 to 16384/);
    expect(() => syntheticImage("image/gif", 4096, { width: 1, height: 0 })).toThrow(/height must be 1 to 65535/);
    expect(() => syntheticImage("image/png", 4096, { width: 1.5, height: 1 })).toThrow(RangeError);
  });

  it("knows the smallest file of each type: its head", () => {
    expect(SYNTHETIC_IMAGE_MIN_BYTES).toEqual({ "image/png": 33, "image/jpeg": 39, "image/gif": 23, "image/webp": 25 });
  });
});
