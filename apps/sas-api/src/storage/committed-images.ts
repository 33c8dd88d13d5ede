import type { ContainerClient } from "@azure/storage-blob";
import { blockListXml } from "@study-uploader/shared";
import { mapConcurrently } from "../map-concurrently.js";
import { metadataHeaders, sendBlobRequest } from "./blob-requests.js";
import { deleteWithUncommittedBlocks } from "./block-blobs.js";
import { blobNames, type ServerUrl } from "./image-blobs.js";
import { errorCode, isRestStatus } from "./storage-errors.js";

/** How copying one verified upload into the committed container went. */
export type CopyResult = "copied" | "source-changed";

/** One block to copy: its id and MD5 (which the id names) and its bytes [start, end) in the upload. */
export interface BlockToCopy {
  id: string;
  md5: string;
  start: number;
  end: number;
}

/** How a block copy went: as a whole copy's, or the first block (by number) whose bytes do not match its MD5. */
export type BlockCopyResult = CopyResult | { badBlock: number };

/** Blocks of one file copied at once: enough to keep storage busy, few enough for 50 large files in one commit. */
const BLOCKS_COPIED_AT_ONCE = 8;

/**
 * The images studies show. Only the commit writes here, and only with If-None-Match: *, so a committed image
 * never changes; no upload URL names this container.
 */
export class CommittedImages {
  /**
   * `serverUrl` names a copy with a create-only SAS, `blockWriteUrl` with a write SAS for the block copy: the
   * commit's copies skip the SDK's per-call pipeline.
   */
  constructor(
    private readonly container: ContainerClient,
    private readonly serverUrl: ServerUrl,
    private readonly blockWriteUrl: ServerUrl,
  ) {}

  /**
   * Copies exactly the upload version that was verified (If-Match on its ETag) to a new name (If-None-Match: *).
   * The name carries that ETag, so finding it already there means a racing or repeated commit copied the very
   * same bytes: that is success too. Storage also checks the bytes against `md5` on the way. The uploader's
   * metadata is replaced by the server's.
   */
  async copyVerified(
    name: string,
    source: { url: string; etag: string },
    md5: string,
    metadata: Record<string, string>,
  ): Promise<CopyResult> {
    try {
      // Copy Blob From URL, as the SDK's syncCopyFromURL sends it.
      await sendBlobRequest(await this.serverUrl(name), "PUT", {
        "x-ms-copy-source": source.url,
        "x-ms-requires-sync": "true",
        "x-ms-source-if-match": source.etag,
        "if-none-match": "*",
        "x-ms-source-content-md5": md5,
        ...metadataHeaders(metadata),
        "content-length": "0",
      });
      return "copied";
    } catch (error) {
      // 409 / 412 mean either "already copied" or "the upload changed": only the destination tells which.
      if (isRestStatus(error, 409) || isRestStatus(error, 412)) {
        return (await this.container.getBlobClient(name).exists()) ? "copied" : "source-changed";
      }
      if (isRestStatus(error, 404)) return "source-changed";
      // A create-only SAS may not write over a blob at all: when the copy is there already, that was the refusal.
      if (isRestStatus(error, 403) && (await this.container.getBlobClient(name).exists())) return "copied";
      throw error;
    }
  }

  /** Replaces every standard header with the server's: the verified type and MD5, nothing the uploader chose. */
  async seal(name: string, type: string, md5: string): Promise<void> {
    await this.container.getBlobClient(name).setHTTPHeaders({
      blobContentType: type,
      blobContentMD5: Buffer.from(md5, "base64"),
    });
  }

  /**
   * Copies a verified upload block by block (Put Block From URL, then Put Block List), for files too large for one
   * Copy Blob From URL. Each block is read from exactly the verified version (x-ms-source-if-match) and storage
   * checks its bytes against the MD5 its id names; the block list creates the copy (If-None-Match: *) with only
   * the server's type, MD5 and metadata. Found already there: a racing or repeated commit copied the same version.
   * Blocks staged by a copy that failed stay uncommitted under a name no study shows; the sweep deletes them.
   */
  async copyBlocks(
    name: string,
    source: { url: string; etag: string },
    blocks: readonly BlockToCopy[],
    headers: { type: string; md5: string },
    metadata: Record<string, string>,
  ): Promise<BlockCopyResult> {
    const url = await this.blockWriteUrl(name);
    // After one refusal the remaining blocks are not copied: the file is refused either way.
    let refused = false;
    const results = await mapConcurrently(blocks, BLOCKS_COPIED_AT_ONCE, async (block) => {
      if (refused) return "skipped";
      const result = await putBlockFromUrl(url, source, block);
      refused ||= result !== "copied";
      return result;
    });
    if (results.includes("source-changed")) return "source-changed";
    // Block numbers are the list's positions (the commit checked that).
    const badBlock = results.indexOf("bad");
    if (badBlock >= 0) return { badBlock };
    try {
      await sendBlobRequest(
        `${url}&comp=blocklist`,
        "PUT",
        {
          "if-none-match": "*",
          "x-ms-blob-content-type": headers.type,
          "x-ms-blob-content-md5": headers.md5,
          ...metadataHeaders(metadata),
        },
        Buffer.from(blockListXml(blocks.map((b) => b.id))),
      );
      return "copied";
    } catch (error) {
      if ((isRestStatus(error, 409) || isRestStatus(error, 412)) && (await this.exists(name))) return "copied";
      throw error;
    }
  }

  private exists(name: string): Promise<boolean> {
    return this.container.getBlobClient(name).exists();
  }

  /** Names under a prefix, copies whose block list was never put (a failed block copy) included. */
  list(prefix: string): Promise<string[]> {
    return blobNames(this.container, prefix);
  }

  async delete(name: string): Promise<void> {
    await deleteWithUncommittedBlocks(this.container.getBlockBlobClient(name));
  }
}

/** One Put Block From URL: "copied", "source-changed" (the upload changed or went), or "bad" (MD5 mismatch). */
async function putBlockFromUrl(
  url: string,
  source: { url: string; etag: string },
  block: BlockToCopy,
): Promise<"copied" | "source-changed" | "bad"> {
  try {
    await sendBlobRequest(`${url}&comp=block&blockid=${encodeURIComponent(block.id)}`, "PUT", {
      "x-ms-copy-source": source.url,
      "x-ms-source-range": `bytes=${block.start}-${block.end - 1}`,
      "x-ms-source-content-md5": block.md5,
      "x-ms-source-if-match": source.etag,
      "content-length": "0",
    });
    return "copied";
  } catch (error) {
    if (isRestStatus(error, 400) && errorCode(error) === "Md5Mismatch") return "bad";
    if (isRestStatus(error, 404) || isRestStatus(error, 412) || isRestStatus(error, 304)) return "source-changed";
    throw error;
  }
}
