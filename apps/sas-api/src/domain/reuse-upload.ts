import { assertStillStaging, commitInProgress, findOwnBatch, type BatchDeps } from "./batches.js";
import { DomainError, notFound } from "./domain-error.js";
import { reusable, storedImageName, storedImageSchema } from "./stored-images.js";

const noSuchFile = (index: number) =>
  new DomainError("not-found", "not_found", `No file at index ${index} in this batch`);

/**
 * Fills the file's upload with a copy of the owner's committed image of the same size and MD5, so the browser
 * sends nothing. Storage checks the copied bytes against the MD5; the commit then verifies the upload as it
 * would any other. False when there is no such image (any more): the browser sends the file as usual.
 */
export async function reuseStoredImage(
  deps: BatchDeps,
  owner: string,
  batchId: string,
  index: number,
  md5: string,
): Promise<boolean> {
  const stored = await findOwnBatch(deps, owner, batchId);
  if (!stored) throw notFound("Batch");
  assertStillStaging(deps.config, stored.value, deps.now());
  if (stored.leased) throw commitInProgress();
  const file = stored.value.files[index];
  if (!file || file.removed) throw noSuchFile(index);
  if (!reusable(file) || !deps.config.reuseStoredImages) return false;

  const name = storedImageName(owner, file.size, md5);
  const image = await deps.storage.records.read("index", name, storedImageSchema);
  if (!image) return false;
  const source = await deps.storage.sas.copySourceUrl(image.blobName, "committed");
  const copied = await deps.storage.images.copyStored(file.blobName, source, md5);
  switch (copied) {
    case "copied":
      return true;
    case "upload-exists":
      // An earlier answer that never arrived, or the browser's own PUT: reused only if it holds these bytes.
      return (await deps.storage.images.inspect(file.blobName, 1))?.md5 === md5;
    case "source-gone":
      // Its study was deleted: the record goes, unless a newer commit has pointed it elsewhere meanwhile.
      if ((await deps.storage.records.read("index", name, storedImageSchema))?.blobName === image.blobName) {
        await deps.storage.records.delete("index", name);
      }
      return false;
    case "source-differs":
      return false;
  }
}
