import { imageHeadBytes, scanImageStructure, type CommitStudyRequest, type ImageVerdict } from "@study-uploader/shared";
import { mapConcurrently } from "../map-concurrently.js";
import type { Semaphore } from "../semaphore.js";
import type { BlockToCopy } from "../storage/committed-images.js";
import type { StagedBlobInfo } from "../storage/image-blobs.js";
import type { BatchDeps } from "./batches.js";
import { DomainError } from "./domain-error.js";
import type { BatchPlan } from "./records.js";
import { BLOCKS_PROBLEM, blocksToCopy } from "./verify-blocks.js";
import { metadataProblem } from "./verify-image.js";

type PlannedFile = BatchPlan["files"][number];

export interface VerifyDeps extends BatchDeps {
  /** This process's commits that may verify at once (COMMIT_VERIFY_CONCURRENCY): each holds storage reads in memory. */
  verifySlots: Semaphore;
}

/**
 * Files of one commit checked at once. Each check holds its head (64 KiB at most) and, for a JPEG whose frame header
 * lies past it, the chunk of the streamed read in hand (Node reads 64 KiB at a time), so eight keep a commit near
 * 1 MiB; and a study of 50 ordinary images, one read each, is still checked in seven round trips.
 */
const FILES_VERIFIED_AT_ONCE = 8;

/**
 * How long a commit waits for a verification slot before 503: as long as it waits for another commit of its batch.
 * Ordinary commits verify in well under a second, so the queue drains fast unless the instance is overwhelmed.
 */
export const VERIFY_SLOT_WAIT_MS = 10_000;

/** An upload as storage reported it, without the head bytes read with it: a verified file keeps this until copied. */
type UploadInfo = Omit<StagedBlobInfo, "head">;

/** What checking one upload found; `blocks` for a file sent in blocks: what its copy copies. */
type Verdict =
  | {
      ok: true;
      file: PlannedFile;
      md5: string;
      observed: UploadInfo;
      width: number;
      height: number;
      blocks?: BlockToCopy[];
    }
  | { ok: false; index: number; problem: string };

export type Verified = Extract<Verdict, { ok: true }>;

/** Checks the structure from the inspected head on, streaming on where it needs more, in the same blob version. */
async function imageStructure(deps: BatchDeps, file: PlannedFile, observed: StagedBlobInfo): Promise<ImageVerdict> {
  const stream = (from: number, end: number) =>
    deps.storage.images.streamRange(file.blobName, from, end, observed.etag);
  const structure = await scanImageStructure(file.type, observed.size, stream, observed.head);
  return structure ?? { kind: "invalid", problem: "changed while it was being checked; upload it again" };
}

/**
 * The blocks of the inspected version of an upload sent in blocks, or why it cannot be copied block by block. Its
 * Content-MD5 is whatever the browser set (storage does not check it on Put Block List): what proves the bytes
 * is each block's MD5, named by its id and checked by storage on the copy.
 */
async function stagedBlocks(
  deps: BatchDeps,
  file: PlannedFile,
  etag: string,
): Promise<{ blocks: BlockToCopy[] } | { problem: string }> {
  const lists = await deps.storage.images.blockLists(file.blobName, "committed");
  if (lists?.etag !== etag) return { problem: "changed while it was being checked; upload it again" };
  const blocks = blocksToCopy(lists.committed, file.size);
  return blocks ? { blocks } : { problem: BLOCKS_PROBLEM };
}

/** Verifies one upload against the plan, the browser's MD5 and the image format, reading as little as it can. */
async function verifyUpload(deps: BatchDeps, file: PlannedFile, md5: string): Promise<Verdict> {
  const inspected = await deps.storage.images.inspect(file.blobName, imageHeadBytes(file.type));
  if (!inspected) return { ok: false, index: file.index, problem: "was not uploaded" };
  let problem = metadataProblem(file, md5, inspected);
  const staged = !problem && file.blocks ? await stagedBlocks(deps, file, inspected.etag) : null;
  if (staged && "problem" in staged) problem = staged.problem;
  if (!problem) {
    const structure = await imageStructure(deps, file, inspected);
    if (structure.kind === "valid") {
      const { head: _head, ...observed } = inspected;
      const { width, height } = structure;
      return { ok: true, file, md5, observed, width, height, ...(staged && "blocks" in staged ? staged : {}) };
    }
    problem = structure.problem;
  }
  // Only that version goes, snapshots with it: the file can then be sent again through its create-only URL.
  await deps.storage.images.deleteVersion(file.blobName, inspected.etag);
  return { ok: false, index: file.index, problem };
}

const verificationBusy = () =>
  new DomainError(
    "busy",
    "server_busy",
    "The server is checking other studies' images; commit again in a few seconds",
    {
      retryAfterSeconds: 2,
    },
  );

/**
 * Verifies the uploads a commit names, in the request's order, once this process has a slot for it: what one
 * commit holds is bounded by FILES_VERIFIED_AT_ONCE, and the slots bound how many commits hold it at once.
 */
export async function verifyUploads(
  deps: VerifyDeps,
  plan: BatchPlan,
  elements: CommitStudyRequest["elements"],
): Promise<Verdict[]> {
  const release = await deps.verifySlots.acquire();
  if (!release) throw verificationBusy();
  try {
    return await mapConcurrently(elements, FILES_VERIFIED_AT_ONCE, (e) =>
      verifyUpload(deps, plan.files[e.index]!, e.md5),
    );
  } finally {
    release();
  }
}
