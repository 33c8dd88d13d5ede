import { describe, expect, it } from "vitest";
import { metadataProblem } from "./verify-image.js";

const declared = { size: 100 };
const md5 = "1B2M2Y8AsgTpgAmY7PhCfg==";

describe("metadataProblem", () => {
  it("passes a blob of the declared size and checksum", () => {
    expect(metadataProblem(declared, md5, { size: 100, md5 })).toBeNull();
  });

  it.each([
    [{ size: 99, md5 }, /99 bytes but 100/],
    [{ size: 100, md5: null }, /no checksum/],
    [{ size: 100, md5: "XUFAKrxLKna5cZ2REBfFkg==" }, /do not match/],
  ])("reports %j", (observed, problem) => {
    expect(metadataProblem(declared, md5, observed)).toMatch(problem);
  });
});
