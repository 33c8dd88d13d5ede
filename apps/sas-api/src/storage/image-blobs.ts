import type { ContainerClient } from "@azure/storage-blob";
import { responseHeader, sendBlobRequest, streamBlob } from "./blob-requests.js";
import { deleteWithUncommittedBlocks, readBlockLists, type BlockListType, type BlockLists } from "./block-blobs.js";
import { errorCode, isRestStatus } from "./storage-errors.js";

/** How copying an image the owner already has into an upload went (see `copyStored`). */
export type StoredCopyResult = "copied" | "upload-exists" | "source-gone" | "source-differs";

/** What storage knows of one uploaded image: enough to verify it without reading it all. */
export interface StagedBlobInfo {
  size: number;
  /** Base64 MD5 that storage computed (or was sent and checked) on upload; null when it has none. */
  md5: string | null;
  /** This version of the blob: the commit copies exactly the version it checked. */
  etag: string;
  /** The Content-Type the uploader sent: not trusted. */
  contentType: string | null;
  /** Headers an uploader may set that the server never does (Cache-Control, Content-Encoding, ...). */
  hasUploaderHeaders: boolean;
  /** The blob's first bytes, for the image structure check. */
  head: Uint8Array;
}

/** Names under a prefix, those holding only uncommitted blocks (an upload in blocks not finished) included. */
export async function blobNames(container: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix, includeUncommitedBlobs: true })) names.push(blob.name);
  return names;
}

const base64OrNull = (md5: Uint8Array | undefined) => (md5 ? Buffer.from(md5).toString("base64") : null);

interface BlobHeaders {
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
}

const hasUploaderHeaders = (h: BlobHeaders) =>
  Boolean(h.cacheControl || h.contentEncoding || h.contentLanguage || h.contentDisposition);

/** A URL for the server's own call to one blob of a container, with a SAS that allows it (sas-urls.ts). */
export type ServerUrl = (blobName: string) => Promise<string>;

/**
 * The uploads, by blob name (`{batchId}/{index}`), written only through create-only upload URLs. Nothing here is
 * ever shown by a study: the commit copies what it verified into the committed container.
 */
export class ImageBlobs {
  /**
   * `serverUrl` names an upload with a read-only SAS: the commit's reads skip the SDK's per-call pipeline;
   * `createUrl` with a create-only one, for copying in an image its owner already has.
   */
  constructor(
    private readonly container: ContainerClient,
    private readonly serverUrl: ServerUrl,
    private readonly createUrl: ServerUrl,
  ) {}

  /**
   * Fills an upload with a copy of a stored image (Copy Blob From URL) instead of the browser's bytes: only when
   * nothing was uploaded yet (If-None-Match: *), and storage checks the bytes it copies against `md5`. The copy
   * is then an upload like any other: the commit verifies it as it would the browser's.
   */
  async copyStored(blobName: string, sourceUrl: string, md5: string): Promise<StoredCopyResult> {
    try {
      await sendBlobRequest(await this.createUrl(blobName), "PUT", {
        "x-ms-copy-source": sourceUrl,
        "x-ms-requires-sync": "true",
        "if-none-match": "*",
        "x-ms-source-content-md5": md5,
        "content-length": "0",
      });
      return "copied";
    } catch (error) {
      // Azurite answers a create-only SAS that meets an existing blob with 403, Azure with 409.
      if (isRestStatus(error, 409) || isRestStatus(error, 412)) return "upload-exists";
      if (isRestStatus(error, 403) && (await this.exists(blobName))) return "upload-exists";
      if (isRestStatus(error, 404)) return "source-gone";
      if (isRestStatus(error, 400) && errorCode(error) === "Md5Mismatch") return "source-differs";
      throw error;
    }
  }

  /**
   * One ranged read tells all the commit needs: the total size (Content-Range), the whole blob's MD5
   * (x-ms-blob-content-md5, sent for range reads), its ETag and headers, and the first bytes.
   */
  async inspect(blobName: string, headBytes = 16): Promise<StagedBlobInfo | null> {
    try {
      const read = await sendBlobRequest(await this.serverUrl(blobName), "GET", {
        "x-ms-range": `bytes=0-${headBytes - 1}`,
      });
      const header = (name: string) => responseHeader(read, name);
      return {
        size: Number(/\/(\d+)$/.exec(header("content-range") ?? "")?.[1] ?? header("content-length") ?? 0),
        md5: header("x-ms-blob-content-md5") ?? null,
        etag: header("etag") ?? "",
        contentType: header("content-type") ?? null,
        hasUploaderHeaders: hasUploaderHeaders({
          cacheControl: header("cache-control"),
          contentEncoding: header("content-encoding"),
          contentLanguage: header("content-language"),
          contentDisposition: header("content-disposition"),
        }),
        head: new Uint8Array(read.body),
      };
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      // An empty blob has no byte 0 to read.
      if (isRestStatus(error, 416)) {
        const props = await this.container.getBlobClient(blobName).getProperties();
        return {
          size: props.contentLength ?? 0,
          md5: base64OrNull(props.contentMD5),
          etag: props.etag ?? "",
          contentType: props.contentType ?? null,
          hasUploaderHeaders: hasUploaderHeaders(props),
          head: new Uint8Array(),
        };
      }
      throw error;
    }
  }

  /**
   * Bytes [offset, end) of the version that was inspected, chunk by chunk as storage sends them; null when the blob
   * has changed or gone since. Breaking off the iteration ends the read.
   */
  async streamRange(
    blobName: string,
    offset: number,
    end: number,
    etag: string,
  ): Promise<AsyncIterable<Uint8Array> | null> {
    try {
      return await streamBlob(await this.serverUrl(blobName), {
        "x-ms-range": `bytes=${offset}-${end - 1}`,
        "if-match": etag,
      });
    } catch (error) {
      if (isRestStatus(error, 404) || isRestStatus(error, 412)) return null;
      throw error;
    }
  }

  /** An upload's block lists (Get Block List), read with the server's read SAS; null when nothing is there. */
  async blockLists(blobName: string, type: BlockListType): Promise<BlockLists | null> {
    return readBlockLists(await this.serverUrl(blobName), type);
  }

  async exists(blobName: string): Promise<boolean> {
    return this.container.getBlobClient(blobName).exists();
  }

  /**
   * Removes the version that failed verification, with any snapshots an upload URL took of it, so the file can
   * be sent again. Only that version: a newer upload under the same name is someone else's to judge.
   */
  async deleteVersion(blobName: string, etag: string): Promise<void> {
    try {
      await this.container
        .getBlobClient(blobName)
        .delete({ deleteSnapshots: "include", conditions: { ifMatch: etag } });
    } catch (error) {
      if (isRestStatus(error, 404) || isRestStatus(error, 412)) return;
      throw error;
    }
  }

  /**
   * Deletes one upload, whatever its version, with its snapshots; nothing to delete is fine. `blocks`: the upload
   * was sent in blocks, so blocks not yet committed go too (an extra write and delete when nothing is there).
   */
  async delete(blobName: string, { blocks = false } = {}): Promise<void> {
    if (blocks) await deleteWithUncommittedBlocks(this.container.getBlockBlobClient(blobName));
    else await this.container.getBlobClient(blobName).deleteIfExists({ deleteSnapshots: "include" });
  }

  /**
   * Deletes every upload under a prefix (a batch's are under `{batchId}/`), snapshots and uncommitted blocks
   * included; how many.
   */
  async deleteAll(prefix: string): Promise<number> {
    const names = await this.list(prefix);
    await Promise.all(names.map((name) => this.delete(name, { blocks: true })));
    return names.length;
  }

  /** Names of the uploads under a prefix, unfinished block uploads included (snapshots go with their blob). */
  list(prefix: string): Promise<string[]> {
    return blobNames(this.container, prefix);
  }
}
