import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createChunkedMd5 } from "./md5.js";
import { nodeMd5 } from "./node-md5.js";

describe("nodeMd5", () => {
  it("gives the same base64 MD5 as the browser's chunked hasher, across chunk boundaries", async () => {
    const bytes = randomBytes(3 * 65536 + 17);
    const blob = new Blob([bytes]);
    const expected = createHash("md5").update(bytes).digest("base64");
    expect(await nodeMd5(blob)).toBe(expected);
    expect(await createChunkedMd5(1000)(blob)).toBe(expected);
    expect(await nodeMd5(new Blob([]))).toBe(createHash("md5").digest("base64"));
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("removed"));
    await expect(nodeMd5(new Blob([randomBytes(1024)]), controller.signal)).rejects.toThrow("removed");
  });
});
