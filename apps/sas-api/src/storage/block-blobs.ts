import type { BlockBlobClient } from "@azure/storage-blob";
import { responseHeader, sendBlobRequest } from "./blob-requests.js";
import { isRestStatus } from "./storage-errors.js";

/** One block of a blob as Get Block List names it: its id (base64, as sent) and its size. */
export interface ListedBlock {
  id: string;
  size: number;
}

/** A blob's block lists, from one Get Block List. */
export interface BlockLists {
  /** The ETag of the committed blob the committed list belongs to; absent while nothing is committed. */
  etag: string | undefined;
  committed: ListedBlock[];
  uncommitted: ListedBlock[];
}

export type BlockListType = "committed" | "uncommitted" | "all";

const BLOCK_XML = /<Block>\s*<Name>([^<]*)<\/Name>\s*<Size>(\d+)<\/Size>\s*<\/Block>/g;

/** The blocks of one section (`CommittedBlocks` or `UncommittedBlocks`) of Get Block List's answer. */
function blocksIn(xml: string, section: "CommittedBlocks" | "UncommittedBlocks"): ListedBlock[] {
  // Ids are base64, which never needs escaping in XML: a small pattern reads the answer exactly.
  const body = new RegExp(`<${section}>([\\s\\S]*?)</${section}>`).exec(xml)?.[1] ?? "";
  return [...body.matchAll(BLOCK_XML)].map((match) => ({ id: match[1]!, size: Number(match[2]) }));
}

/**
 * Get Block List through a URL that carries a read SAS (plain HTTP, like the commit's other per-file calls); null
 * when storage has no blob of that name, not even uncommitted blocks.
 */
export async function readBlockLists(url: string, type: BlockListType): Promise<BlockLists | null> {
  try {
    const response = await sendBlobRequest(`${url}&comp=blocklist&blocklisttype=${type}`, "GET", {});
    const xml = response.body.toString("utf8");
    return {
      etag: responseHeader(response, "etag"),
      committed: blocksIn(xml, "CommittedBlocks"),
      uncommitted: blocksIn(xml, "UncommittedBlocks"),
    };
  } catch (error) {
    if (isRestStatus(error, 404)) return null;
    throw error;
  }
}

/** A committed blob taken over by someone since is deleted again; a few rounds settle any race. */
const DELETE_ATTEMPTS = 3;

/**
 * Deletes a blob with its snapshots and any uncommitted blocks. Azure answers 404 to a delete of a name that holds
 * only uncommitted blocks; Put Blob discards them, so an empty one (only if nothing is committed: If-None-Match: *)
 * is written and deleted. Azurite deletes such a name at once. Storage would drop uncommitted blocks by itself a
 * week after the last one came; this frees them now.
 */
export async function deleteWithUncommittedBlocks(blob: BlockBlobClient): Promise<void> {
  for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
    if ((await blob.deleteIfExists({ deleteSnapshots: "include" })).succeeded) return;
    let etag: string | undefined;
    try {
      etag = (await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } })).etag;
    } catch (error) {
      // A block list was committed meanwhile: delete that.
      if (isRestStatus(error, 409) || isRestStatus(error, 412)) continue;
      throw error;
    }
    try {
      await blob.delete({ conditions: { ifMatch: etag } });
    } catch (error) {
      // Gone, or replaced by an upload since: the next round deletes that.
      if (isRestStatus(error, 412)) continue;
      if (!isRestStatus(error, 404)) throw error;
    }
    return;
  }
  throw new Error(`${blob.name} was written again each time it was deleted`);
}
