import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { IMAGE_HEAD_BYTES, inspectImageStructure } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { formatFileSize, workloadParts, type Workload } from "./bench-plan.js";

export const BENCH_FILES_DIR = path.join(os.tmpdir(), "study-uploader-bench-files");

/** Whether a kept file has the size wanted and a head that the product's structure check accepts today. */
function isCurrent(file: string, size: number): boolean {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return false;
  }
  try {
    if (fstatSync(fd).size !== size) return false;
    const head = new Uint8Array(Math.min(size, IMAGE_HEAD_BYTES));
    const read = readSync(fd, head, 0, head.length, 0);
    return inspectImageStructure("image/png", head.subarray(0, read), size).kind === "valid";
  } finally {
    closeSync(fd);
  }
}

/**
 * The files of each workload, generated once and kept on disk between runs (paths, so the browser reads them
 * itself, as from a user's disk). Workloads of one file size share files: 4×2 MiB are the first four of 16×2 MiB.
 */
export function ensureWorkloadFiles(workloads: readonly Workload[], dir = BENCH_FILES_DIR): Map<string, string[]> {
  mkdirSync(dir, { recursive: true });
  const paths = new Map<string, string[]>();
  for (const w of workloads) {
    const files = workloadParts(w).flatMap(({ files: count, fileBytes }) =>
      Array.from({ length: count }, (_, i) => {
        const name = `image-${formatFileSize(fileBytes).replace(" ", "")}-${String(i + 1).padStart(2, "0")}.png`;
        const file = path.join(dir, name);
        // Random past a valid head: nothing on the way can compress it, and the API's checks accept it.
        if (!isCurrent(file, fileBytes)) writeFileSync(file, syntheticImage("image/png", fileBytes));
        return file;
      }),
    );
    paths.set(w.id, files);
  }
  return paths;
}
