import type { BatchStatus } from "@study-uploader/shared";
import type { KeptUpload, RestoredFile } from "./study-session-types.js";

type KeptBlocks = NonNullable<KeptUpload["files"][number]["blocks"]>;
type StagedBlocks = NonNullable<BatchStatus["files"][number]["stagedBlocks"]>;

/**
 * The blocks a large file resumes from after a reload. Storage's report decides (`staged`; null when it could not
 * be asked, and the draft's own record of finished blocks is trusted); the block size is the draft's, or the one
 * storage's blocks show. The session counts a block as done only once the file hashes to the same block MD5.
 */
export function restoredBlocks(
  kept: KeptBlocks | undefined,
  staged: StagedBlocks | null,
): NonNullable<RestoredFile["blocks"]> | null {
  const reported = staged ?? kept?.done.map((block) => ({ block, md5: kept.md5s[block]!, size: 0 })) ?? [];
  const blockBytes = kept?.blockBytes ?? Math.max(0, ...reported.map((b) => b.size));
  if (blockBytes === 0) return null;
  const md5s = kept ? { md5s: kept.md5s } : {};
  return { blockBytes, reported: reported.map(({ block, md5 }) => ({ block, md5 })), ...md5s };
}
