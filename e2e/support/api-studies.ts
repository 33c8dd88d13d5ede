import { imageTypeSchema, type ApiClient, type Study } from "@study-uploader/shared";
import { jpegImage, type TestImage } from "./test-images.js";

/** A thumbnail as the browser makes one: a JPEG of the image's pixel size scaled to at most 256 px a side. */
function thumbnailOf(image: TestImage & { width: number; height: number }): TestImage {
  const scale = Math.min(1, 256 / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return jpegImage(`thumbnail-of-${image.name}.jpg`, width, height);
}

/**
 * Commits a study straight through the API, as a script would: one batch, a PUT per image (and a thumbnail beside
 * each image whose pixel size the test knows, as the browser sends one), the commit.
 */
export async function commitStudyThroughApi(api: ApiClient, title: string, images: TestImage[]): Promise<Study> {
  const batch = await api.createBatch({
    files: images.map((image) => ({
      name: image.name,
      size: image.buffer.length,
      type: imageTypeSchema.parse(image.mimeType),
    })),
  });
  for (const target of batch.files) {
    const image = images[target.index]!;
    const stored = await fetch(target.uploadUrl, {
      method: "PUT",
      headers: { ...target.headers, "Content-MD5": image.md5 },
      body: new Uint8Array(image.buffer),
    });
    if (!stored.ok) throw new Error(`PUT ${image.name}: ${stored.status} ${await stored.text()}`);
    if (target.thumbnail && image.width !== undefined && image.height !== undefined) {
      const thumbnail = thumbnailOf({ ...image, width: image.width, height: image.height });
      const sent = await fetch(target.thumbnail.uploadUrl, {
        method: "PUT",
        headers: target.thumbnail.headers,
        body: new Uint8Array(thumbnail.buffer),
      });
      if (!sent.ok) throw new Error(`PUT thumbnail of ${image.name}: ${sent.status} ${await sent.text()}`);
    }
  }
  return api.commitStudy({
    batchId: batch.batchId,
    title,
    elements: images.map((image, index) => ({ index, label: image.name, md5: image.md5 })),
  });
}

/** What formatBytes in the web shows for a test image of 1 KiB up to 100 KiB ("5.3 KiB", "12 KiB"). */
export function shownKibibytes(bytes: number): string {
  if (bytes < 1024 || bytes >= 100 * 1024) throw new Error(`${bytes} B is outside what shownKibibytes covers`);
  const kib = bytes / 1024;
  return `${Number.isInteger(kib) ? kib : kib.toFixed(1)} KiB`;
}
