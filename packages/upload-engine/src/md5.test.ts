import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base64FromBytes, createChunkedDigest, createChunkedMd5 } from "./md5.js";

const nodeMd5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64");

describe("createChunkedMd5", () => {
  it("matches a one-shot MD5 when the file spans many uneven chunks", async () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 31) % 251);
    const md5 = await createChunkedMd5(4096)(new Blob([bytes]));
    expect(md5).toBe(nodeMd5(bytes));
    expect(md5).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it("reads the blob in slices instead of whole", async () => {
    const bytes = new Uint8Array(10_000).fill(7);
    const sliceSizes: number[] = [];
    class SlicingSpyBlob extends Blob {
      override slice(start?: number, end?: number): Blob {
        const part = super.slice(start, end);
        sliceSizes.push(part.size);
        return part;
      }
    }
    const spy = new SlicingSpyBlob([bytes]);
    expect(await createChunkedMd5(4096)(spy)).toBe(nodeMd5(bytes));
    expect(sliceSizes).toEqual([4096, 4096, 1808]);
  });

  it("hashes an empty blob", async () => {
    expect(await createChunkedMd5()(new Blob([]))).toBe("1B2M2Y8AsgTpgAmY7PhCfg==");
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createChunkedMd5()(new Blob(["x"]), controller.signal)).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("base64FromBytes", () => {
  it("encodes raw bytes", () => {
    expect(base64FromBytes(new Uint8Array([0, 255, 16]))).toBe("AP8Q");
  });
});

describe("createChunkedDigest", () => {
  it("gives each block's MD5 and the file's in one read, with blocks and chunks of different sizes", async () => {
    const bytes = new Uint8Array(10_500).map((_, i) => (i * 7) % 253);
    const digest = await createChunkedDigest(4096)(new Blob([bytes]), 3000);
    expect(digest.md5).toBe(nodeMd5(bytes));
    expect(digest.blockMd5s).toEqual([0, 3000, 6000, 9000].map((start) => nodeMd5(bytes.slice(start, start + 3000))));
  });

  it("gives no block MD5s without a block size", async () => {
    expect((await createChunkedDigest()(new Blob(["abc"]), null)).blockMd5s).toBeNull();
  });
});
