import { BlobServiceClient } from "@azure/storage-blob";
import { inject } from "vitest";
import { blockIdOf, blockListXml, blockRange, blockCountOf } from "@study-uploader/shared";
import { md5Base64, type BatchResponse } from "./test-api.js";

/** The shared Azurite as its account key sees it: what storage really holds. */
export const azuriteService = () => BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));

/** One block as the browser sends it: Put Block with its Content-MD5, under an id naming its number and MD5. */
export function putBlock(uploadUrl: string, block: number, bytes: Uint8Array, named = { md5: md5Base64(bytes) }) {
  return fetch(`${uploadUrl}&comp=block&blockid=${encodeURIComponent(blockIdOf(block, named.md5))}`, {
    method: "PUT",
    headers: { "content-md5": md5Base64(bytes) },
    body: bytes,
  });
}

/** Put Block List as the browser sends it: the target's headers and the whole file's MD5 (storage does not check it). */
export function putBlockList(target: BatchResponse["files"][number], ids: string[], fileMd5: string) {
  return fetch(`${target.uploadUrl}&comp=blocklist`, {
    method: "PUT",
    headers: { ...target.headers, "x-ms-blob-content-md5": fileMd5 },
    body: blockListXml(ids),
  });
}

/** The blocks of a file of `blockBytes` each (the last smaller or equal), with their ids. */
export function blocksOf(bytes: Buffer, blockBytes: number) {
  return Array.from({ length: blockCountOf(bytes.length, blockBytes) }, (_, block) => {
    const { start, end } = blockRange(block, bytes.length, blockBytes);
    const data = bytes.subarray(start, end);
    return { block, data, id: blockIdOf(block, md5Base64(data)) };
  });
}

/** Uploads a whole file in blocks, as the browser does, and throws unless storage took every part. */
export async function uploadInBlocks(target: BatchResponse["files"][number], bytes: Buffer, blockBytes: number) {
  const blocks = blocksOf(bytes, blockBytes);
  for (const res of await Promise.all(blocks.map((b) => putBlock(target.uploadUrl, b.block, b.data)))) {
    if (res.status !== 201) throw new Error(`put block: ${res.status} ${await res.text()}`);
  }
  const list = await putBlockList(
    target,
    blocks.map((b) => b.id),
    md5Base64(bytes),
  );
  if (list.status !== 201) throw new Error(`put block list: ${list.status} ${await list.text()}`);
}

/** Names in a container under a prefix, those holding only uncommitted blocks included. */
export async function namesWithUncommitted(container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  const client = azuriteService().getContainerClient(container);
  for await (const blob of client.listBlobsFlat({ prefix, includeUncommitedBlobs: true })) names.push(blob.name);
  return names;
}
