import { createHash } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { e2eAzuriteConnectionString } from "./test-azurite.js";

/** Reads the test Azurite with the account key, as an operator would, to check what really got stored. */
export function testStorage() {
  const service = BlobServiceClient.fromConnectionString(e2eAzuriteConnectionString());
  const blobOf = (url: string) => {
    const [, , container, ...blob] = new URL(url).pathname.split("/");
    return service.getContainerClient(container!).getBlobClient(decodeURIComponent(blob.join("/")));
  };
  return {
    /** Whether the blob an upload (or read) URL names exists in storage right now. */
    exists: (url: string): Promise<boolean> => blobOf(url).exists(),
    /**
     * A real storage fault: a lease on the blob makes every delete without its id fail (412) until it is broken.
     * Returns the way to break it.
     */
    async holdLease(url: string): Promise<{ breakLease: () => Promise<void> }> {
      const lease = blobOf(url).getBlobLeaseClient();
      await lease.acquireLease(-1);
      return {
        breakLease: async () => {
          await lease.breakLease(0);
        },
      };
    },
    /** MD5 (base64) of the stored bytes behind a study element's read URL, downloaded through the SDK. */
    async storedMd5(elementUrl: string): Promise<string> {
      const bytes = await blobOf(elementUrl).downloadToBuffer();
      return createHash("md5").update(bytes).digest("base64");
    },
    /** Each element's name and the MD5 of what storage holds for it, in the study's order. */
    async storedImages(study: { elements: { name: string; url: string }[] }): Promise<{ name: string; md5: string }[]> {
      return Promise.all(study.elements.map(async ({ name, url }) => ({ name, md5: await this.storedMd5(url) })));
    },
  };
}
