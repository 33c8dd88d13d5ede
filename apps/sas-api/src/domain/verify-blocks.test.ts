import { describe, expect, it } from "vitest";
import { MAX_BLOCKS_PER_BLOB, blockIdOf } from "@study-uploader/shared";
import { blocksToCopy } from "./verify-blocks.js";

const md5 = (n: number) => `${String(n).padStart(22, "A")}==`;
const listed = (...sizes: number[]) => sizes.map((size, i) => ({ id: blockIdOf(i, md5(i)), size }));

describe("blocksToCopy", () => {
  it("gives each block's MD5 and byte range for a list the uploader makes", () => {
    expect(blocksToCopy(listed(4, 4, 2), 10)).toEqual([
      { id: blockIdOf(0, md5(0)), md5: md5(0), start: 0, end: 4 },
      { id: blockIdOf(1, md5(1)), md5: md5(1), start: 4, end: 8 },
      { id: blockIdOf(2, md5(2)), md5: md5(2), start: 8, end: 10 },
    ]);
    expect(blocksToCopy(listed(7), 7)).toHaveLength(1);
    expect(blocksToCopy(listed(4, 4), 8)).toHaveLength(2);
  });

  it.each([
    ["no blocks (one Put Blob)", [], 0],
    ["sizes that do not add up", listed(4, 4, 2), 11],
    ["a middle block of another size", listed(4, 3, 2), 9],
    ["a last block larger than the others", listed(4, 5), 9],
    ["an empty last block", listed(4, 0), 4],
  ])("refuses %s", (_, blocks, size) => {
    expect(blocksToCopy(blocks, size)).toBeNull();
  });

  it("refuses a skipped, repeated or reordered block, and ids this app did not make", () => {
    const skipped = [listed(4, 4)[0]!, { id: blockIdOf(2, md5(2)), size: 4 }];
    expect(blocksToCopy(skipped, 8)).toBeNull();
    const repeated = [listed(4)[0]!, listed(4)[0]!];
    expect(blocksToCopy(repeated, 8)).toBeNull();
    expect(blocksToCopy(listed(4, 4).reverse(), 8)).toBeNull();
    expect(blocksToCopy([{ id: btoa("block-0"), size: 4 }], 4)).toBeNull();
  });

  it("refuses more blocks than a blob may have", () => {
    const sizes = Array.from({ length: MAX_BLOCKS_PER_BLOB + 1 }, () => 1);
    expect(blocksToCopy(listed(...sizes), sizes.length)).toBeNull();
  });
});
