import { describe, expect, it } from "vitest";
import {
  blockBytesFor,
  blockCountOf,
  blockIdOf,
  blockListXml,
  blockRange,
  MAX_BLOCKS_PER_BLOB,
  parseBlockId,
} from "./blocks.js";
import { MiB } from "./limits.js";

const md5 = "1B2M2Y8AsgTpgAmY7PhCfg==";

describe("block ids", () => {
  it("name the block and its MD5, all with one length", () => {
    const ids = [0, 7, 49_999].map((block) => blockIdOf(block, md5));
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([40]));
    expect(ids.map(parseBlockId)).toEqual([
      { block: 0, md5 },
      { block: 7, md5 },
      { block: 49_999, md5 },
    ]);
  });

  it("refuse ids this app did not make", () => {
    expect(parseBlockId("not base64!")).toBeNull();
    expect(parseBlockId(btoa("block-1"))).toBeNull();
    expect(parseBlockId(btoa(`0001-${md5}`))).toBeNull();
    expect(parseBlockId(btoa(`00001-${md5.slice(1)}`))).toBeNull();
  });

  it("make a block list of the latest blocks, in order", () => {
    expect(blockListXml(["a", "b"])).toContain("<BlockList><Latest>a</Latest><Latest>b</Latest></BlockList>");
  });
});

describe("block size", () => {
  it("is the base until the link is measured, then about 2 s of one connection, between 4 and 64 MiB", () => {
    expect(blockBytesFor(256 * MiB, 8 * MiB, null)).toBe(8 * MiB);
    expect(blockBytesFor(256 * MiB, 8 * MiB, 5 * MiB)).toBe(10 * MiB);
    expect(blockBytesFor(256 * MiB, 8 * MiB, 0.1 * MiB)).toBe(4 * MiB);
    expect(blockBytesFor(256 * MiB, 8 * MiB, 500 * MiB)).toBe(64 * MiB);
  });

  it("never needs more than 50,000 blocks", () => {
    const size = 600 * 1024 * MiB;
    const bytes = blockBytesFor(size, 8 * MiB, null);
    expect(blockCountOf(size, bytes)).toBeLessThanOrEqual(MAX_BLOCKS_PER_BLOB);
    expect(bytes % MiB).toBe(0);
  });

  it("keeps a small test block size as given, and the last block holds the rest", () => {
    expect(blockBytesFor(5 * MiB, 256 * 1024, 9 * MiB)).toBe(256 * 1024);
    expect(blockCountOf(10, 4)).toBe(3);
    expect(blockRange(2, 10, 4)).toEqual({ start: 8, end: 10 });
  });
});
