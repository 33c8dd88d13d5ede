import { describe, expect, it } from "vitest";
import { contentProblem, metadataProblem } from "./verify-image.js";

const expected = { size: 100, type: "image/png" as const, md5: "1B2M2Y8AsgTpgAmY7PhCfg==" };
const PNG_HEAD = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

describe("metadataProblem", () => {
  it("passes a blob of the declared size and checksum", () => {
    expect(metadataProblem(expected, { size: 100, md5: expected.md5 })).toBeNull();
  });

  it.each([
    [null, /not uploaded/],
    [{ size: 99, md5: expected.md5 }, /99 bytes but 100/],
    [{ size: 100, md5: null }, /no checksum/],
    [{ size: 100, md5: "XUFAKrxLKna5cZ2REBfFkg==" }, /do not match/],
  ])("reports %j", (observed, problem) => {
    expect(metadataProblem(expected, observed)).toMatch(problem);
  });
});

describe("contentProblem", () => {
  it("passes bytes that prove the declared type", () => {
    expect(contentProblem("image/png", PNG_HEAD)).toBeNull();
  });

  it("names a different real image type", () => {
    expect(contentProblem("image/jpeg", PNG_HEAD)).toBe("content is a PNG image, not the declared JPEG");
  });

  it("refuses bytes that are no image at all", () => {
    expect(contentProblem("image/png", new TextEncoder().encode("<html><body>"))).toBe("content is not a PNG image");
  });
});
