import { imageTypeSchema, type ApiClient, type Study } from "@study-uploader/shared";
import type { TestImage } from "./test-images.js";

/** Commits a study straight through the API, as a script would: one batch, a PUT per image, the commit. */
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
