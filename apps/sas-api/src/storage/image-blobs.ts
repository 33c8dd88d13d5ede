import type { ContainerClient } from "@azure/storage-blob";
import { SIGNATURE_BYTES, type ImageType } from "@study-uploader/shared";
import { readBody } from "./read-body.js";
import { isRestStatus } from "./storage-errors.js";

/** What storage knows of one uploaded image: enough to verify it without reading it all. */
export interface StagedBlobInfo {
  size: number;
  /** Base64 MD5 that storage computed (or was sent and checked) on upload; null when it has none. */
  md5: string | null;
  /** The Content-Type the uploader sent: not trusted, replaced by the verified type when it differs. */
  contentType: string | null;
  /** The blob's first bytes, for the image signature check. */
  head: Uint8Array;
}

const base64OrNull = (md5: Uint8Array | undefined) => (md5 ? Buffer.from(md5).toString("base64") : null);

/** The uploaded images, by blob name: checked, sealed with their verified type, or removed. */
export class ImageBlobs {
  constructor(private readonly container: ContainerClient) {}

  /**
   * One ranged read tells all the commit needs: the total size (Content-Range), the whole blob's MD5
   * (x-ms-blob-content-md5, sent for range reads), its stored Content-Type, and the first bytes.
   */
  async inspect(blobName: string, headBytes: number = SIGNATURE_BYTES): Promise<StagedBlobInfo | null> {
    const blob = this.container.getBlobClient(blobName);
    try {
      const read = await blob.download(0, headBytes);
      const head = await readBody(read);
      return {
        size: Number(/\/(\d+)$/.exec(read.contentRange ?? "")?.[1] ?? read.contentLength ?? 0),
        md5: base64OrNull(read.blobContentMD5),
        contentType: read.contentType ?? null,
        head: new Uint8Array(head),
      };
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      // An empty blob has no byte 0 to read.
      if (isRestStatus(error, 416)) {
        const props = await blob.getProperties();
        return {
          size: props.contentLength ?? 0,
          md5: base64OrNull(props.contentMD5),
          contentType: props.contentType ?? null,
          head: new Uint8Array(),
        };
      }
      throw error;
    }
  }

  async exists(blobName: string): Promise<boolean> {
    return this.container.getBlobClient(blobName).exists();
  }

  /** Removes an image if it is there: one that failed verification, so it can be uploaded again, or an abandoned one. */
  async delete(blobName: string): Promise<void> {
    await this.container.getBlobClient(blobName).deleteIfExists();
  }

  /** Replaces whatever Content-Type the uploader sent with the verified one (keeping storage's MD5). */
  async seal(blobName: string, type: ImageType, md5: string): Promise<void> {
    await this.container.getBlobClient(blobName).setHTTPHeaders({
      blobContentType: type,
      blobContentMD5: Buffer.from(md5, "base64"),
      blobContentDisposition: "inline",
      blobCacheControl: "private, max-age=86400, immutable",
    });
  }

  /** Names of the images under a prefix (a batch's are under `{batchId}/`). */
  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }
}
