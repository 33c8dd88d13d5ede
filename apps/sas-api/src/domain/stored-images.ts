import { z } from "zod";
import { mapConcurrently } from "../map-concurrently.js";
import type { ApiConfig } from "../config.js";
import type { BlobStorage } from "../storage/blob-storage.js";
import type { BatchPlan, CommittedStudyRecord } from "./records.js";

/**
 * An owner's committed images, findable by their content: one small record per size and MD5 in the index
 * container (no owner key starts with "_"), naming the newest committed copy. Only ever read under the caller's
 * own owner key, so no one learns what anyone else stored.
 */
const STORED_PREFIX = "_stored/";
export const storedImageSchema = z.object({ blobName: z.string().min(1) });

const storedPrefix = (owner: string, size: number) => `${STORED_PREFIX}${owner}/${size}/`;
/** Hex, not base64: a base64 MD5 may hold "/", which would split the name. */
export const storedImageName = (owner: string, size: number, md5: string) =>
  storedPrefix(owner, size) + Buffer.from(md5, "base64").toString("hex");

/** Lists of sizes at once while a batch is planned: they run beside the plan's own write. */
const LOOKUPS_AT_ONCE = 8;

/** A file that can be filled from a stored image: one sent whole (a copy of a block file would lose its blocks). */
export const reusable = (file: BatchPlan["files"][number]) => !file.blocks && !file.removed;

/**
 * For the files at `indexes`, the MD5s of the owner's committed images of exactly their size: one List Blobs per
 * distinct size (an image's byte size rarely matches another's, so the lists are short, usually empty).
 */
export async function storedMd5sOf(
  { storage, config }: { storage: BlobStorage; config: Pick<ApiConfig, "reuseStoredImages"> },
  plan: BatchPlan,
  indexes: readonly number[],
): Promise<Map<number, string[]>> {
  if (!config.reuseStoredImages) return new Map();
  const sizes = [
    ...new Set(
      indexes
        .map((i) => plan.files[i]!)
        .filter(reusable)
        .map((f) => f.size),
    ),
  ];
  const listed = await mapConcurrently(sizes, LOOKUPS_AT_ONCE, async (size) => {
    // Reuse only ever saves work: a lookup storage fails offers nothing for that size, and the batch goes on.
    const records = await storage.records.list("index", storedPrefix(plan.owner, size)).catch(() => []);
    const md5s = records.flatMap(({ name }) => {
      const hex = name.slice(name.lastIndexOf("/") + 1);
      return /^[0-9a-f]{32}$/.test(hex) ? [Buffer.from(hex, "hex").toString("base64")] : [];
    });
    return [size, md5s] as const;
  });
  return new Map(listed);
}

/**
 * After a commit: each image of the study (those sent whole) is recorded by its size and MD5, so the owner's next
 * study with the same bytes copies it instead of sending it again. The newest copy wins: an older one may belong
 * to a study deleted since.
 */
export async function recordStoredImages(
  { storage, config }: { storage: BlobStorage; config: Pick<ApiConfig, "reuseStoredImages"> },
  plan: BatchPlan,
  record: CommittedStudyRecord,
): Promise<void> {
  if (!config.reuseStoredImages) return;
  const recorded = record.elements.filter((e) => {
    const file = plan.files[e.fileIndex ?? e.index];
    return file !== undefined && !file.blocks;
  });
  await Promise.all(
    recorded.map((e) =>
      storage.records.put("index", storedImageName(record.owner, e.size, e.md5), { blobName: e.blobName }),
    ),
  );
}

/**
 * A study being deleted: its images are no longer offered for reuse (the records that still name its copies go;
 * one a newer study has taken over stays). A delete resumed after its record became a tombstone no longer knows
 * them: a record left behind then goes at the first reuse that finds its copy gone.
 */
export async function forgetStoredImages(storage: BlobStorage, record: CommittedStudyRecord): Promise<void> {
  await Promise.all(
    record.elements.map(async (e) => {
      const name = storedImageName(record.owner, e.size, e.md5);
      const stored = await storage.records.read("index", name, storedImageSchema);
      if (stored?.blobName === e.blobName) await storage.records.delete("index", name);
    }),
  );
}
