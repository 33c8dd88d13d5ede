import { describe, expect, it } from "vitest";
import { restoredBlocks } from "./restored-blocks.js";

describe("restoredBlocks", () => {
  const md5 = (n: number) => `${String(n).padStart(22, "A")}==`;
  const kept = { blockBytes: 8, md5s: [md5(0), md5(1), md5(2)], done: [0, 2] };

  it("takes the blocks storage reports, with the draft's block size", () => {
    const staged = [{ block: 1, md5: md5(1), size: 8 }];
    expect(restoredBlocks(kept, staged)).toEqual({
      blockBytes: 8,
      reported: [{ block: 1, md5: md5(1) }],
      md5s: kept.md5s,
    });
  });

  it("trusts the draft's finished blocks when storage could not be asked", () => {
    expect(restoredBlocks(kept, null)).toEqual({
      blockBytes: 8,
      reported: [
        { block: 0, md5: md5(0) },
        { block: 2, md5: md5(2) },
      ],
      md5s: kept.md5s,
    });
  });

  it("reads the block size from storage's blocks when the draft never hashed the file", () => {
    const staged = [
      { block: 0, md5: md5(0), size: 16 },
      { block: 3, md5: md5(3), size: 5 },
    ];
    expect(restoredBlocks(undefined, staged)?.blockBytes).toBe(16);
    expect(restoredBlocks(undefined, [])).toBeNull();
  });
});
