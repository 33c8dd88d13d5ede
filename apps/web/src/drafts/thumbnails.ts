import { THUMBNAIL_MAX_BYTES, THUMBNAIL_MAX_SIDE_PX, THUMBNAIL_TYPE } from "@study-uploader/shared";

/** JPEG qualities tried in turn until the thumbnail fits THUMBNAIL_MAX_BYTES (a noisy picture needs the lower). */
const QUALITIES = [0.8, 0.6, 0.4];

/**
 * A small JPEG of an image, at most THUMBNAIL_MAX_SIDE_PX on its longer side (sharp in the study grid at 2×):
 * uploaded beside the image for the list and the grid, and kept with the saved draft so a reloaded form still
 * shows it. One decode, resized by the browser to the thumbnail's width; a tall image is then scaled down to the
 * height limit on the canvas. Null when the browser cannot do it or no quality fits the byte limit.
 */
async function makeThumbnail(file: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return null;
  const bitmap = await createImageBitmap(file, { resizeWidth: THUMBNAIL_MAX_SIDE_PX, resizeQuality: "high" });
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE_PX / bitmap.height);
  const canvas = new OffscreenCanvas(
    Math.max(1, Math.round(bitmap.width * scale)),
    Math.max(1, Math.round(bitmap.height * scale)),
  );
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of QUALITIES) {
    const thumbnail = await canvas.convertToBlob({ type: THUMBNAIL_TYPE, quality });
    if (thumbnail.size <= THUMBNAIL_MAX_BYTES) return thumbnail;
  }
  return null;
}

let queue: Promise<unknown> = Promise.resolve();

const idle = () =>
  new Promise<void>((resolve) =>
    typeof requestIdleCallback === "function"
      ? requestIdleCallback(() => resolve(), { timeout: 2000 })
      : setTimeout(resolve, 0),
  );

/**
 * Thumbnails one at a time, each when the page is idle (or after 2 s): decoding must not hold back hashing and
 * uploads, and a study's commit waits only briefly for thumbnails still being made.
 */
export function makeThumbnailWhenIdle(file: Blob): Promise<Blob | null> {
  const made = queue.then(idle).then(() => makeThumbnail(file));
  queue = made.catch(() => undefined);
  return made;
}
