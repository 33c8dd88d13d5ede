import { randomBytes } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatFileSize, type Workload } from "./bench-plan.js";

/** A PNG signature and IHDR chunk, so the product's magic-byte check accepts the file as a PNG. */
const PNG_HEAD = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x04,
  0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00,
]);

export const BENCH_FILES_DIR = path.join(os.tmpdir(), "study-uploader-bench-files");

function pngOfSize(bytes: number): Buffer {
  // Random after the head: nothing on the way can compress it.
  return Buffer.concat([PNG_HEAD, randomBytes(bytes - PNG_HEAD.length)]);
}

/**
 * The files of each workload, generated once and kept on disk between runs (paths, so the browser reads them
 * itself, as from a user's disk). Workloads of one file size share files: 4×2 MiB are the first four of 16×2 MiB.
 */
export function ensureWorkloadFiles(workloads: readonly Workload[], dir = BENCH_FILES_DIR): Map<string, string[]> {
  mkdirSync(dir, { recursive: true });
  const paths = new Map<string, string[]>();
  for (const w of workloads) {
    const files = Array.from({ length: w.files }, (_, i) =>
      path.join(dir, `image-${formatFileSize(w.fileBytes).replace(" ", "")}-${String(i + 1).padStart(2, "0")}.png`),
    );
    for (const file of files) {
      const existingSize = (() => {
        try {
          return statSync(file).size;
        } catch {
          return -1;
        }
      })();
      if (existingSize !== w.fileBytes) writeFileSync(file, pngOfSize(w.fileBytes));
    }
    paths.set(w.id, files);
  }
  return paths;
}
