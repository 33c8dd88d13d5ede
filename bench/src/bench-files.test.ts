import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectImageStructure } from "@study-uploader/shared";
import { ensureWorkloadFiles } from "./bench-files.js";
import { workload } from "./bench-plan.js";

const KIB = 1024;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bench-files-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const inspect = (file: string) => {
  const bytes = readFileSync(file);
  return inspectImageStructure("image/png", bytes, bytes.length);
};

describe("ensureWorkloadFiles", () => {
  it("writes PNGs of the workload's size that the API's structure check accepts", () => {
    const paths = ensureWorkloadFiles([workload(2, 64 * KIB)], dir).get("2×64 KiB")!;
    expect(paths).toHaveLength(2);
    for (const file of paths) {
      expect(statSync(file).size).toBe(64 * KIB);
      expect(inspect(file).kind).toBe("valid");
    }
  });

  it("keeps files that are still current, and shares them between workloads of one size", () => {
    const [first] = ensureWorkloadFiles([workload(1, 64 * KIB)], dir).get("1×64 KiB")!;
    const before = readFileSync(first!);
    const [again] = ensureWorkloadFiles([workload(4, 64 * KIB)], dir).get("4×64 KiB")!;
    expect(again).toBe(first);
    expect(readFileSync(again!).equals(before)).toBe(true);
  });

  it("rewrites a kept file whose head the structure check now refuses (the old head had no IHDR checksum)", () => {
    const [file] = ensureWorkloadFiles([workload(1, 64 * KIB)], dir).get("1×64 KiB")!;
    const outdated = Buffer.alloc(64 * KIB);
    Buffer.from("89504e470d0a1a0a0000000d49484452000004000000040008060000", "hex").copy(outdated);
    writeFileSync(file!, outdated);
    expect(inspect(file!).kind).toBe("invalid");
    ensureWorkloadFiles([workload(1, 64 * KIB)], dir);
    expect(inspect(file!).kind).toBe("valid");
  });

  it("rewrites a kept file of the wrong size", () => {
    const [file] = ensureWorkloadFiles([workload(1, 64 * KIB)], dir).get("1×64 KiB")!;
    writeFileSync(file!, readFileSync(file!).subarray(0, 1000));
    ensureWorkloadFiles([workload(1, 64 * KIB)], dir);
    expect(statSync(file!).size).toBe(64 * KIB);
  });
});
