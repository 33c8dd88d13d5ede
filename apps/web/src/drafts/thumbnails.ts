/** The width of a kept thumbnail: enough for the form's 64 px rows at 2× density. */
const THUMBNAIL_WIDTH_PX = 128;

/**
 * A small JPEG of an image, kept with the saved draft so a reloaded form still shows it (a few KiB instead of
 * the file). One decode, resized by the browser off the main thread (only the width is given, so the aspect
 * ratio is kept); null when the browser cannot do it.
 */
async function makeThumbnail(file: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return null;
  const bitmap = await createImageBitmap(file, { resizeWidth: THUMBNAIL_WIDTH_PX, resizeQuality: "medium" });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
}

let queue: Promise<unknown> = Promise.resolve();

const idle = () =>
  new Promise<void>((resolve) =>
    typeof requestIdleCallback === "function"
      ? requestIdleCallback(() => resolve(), { timeout: 2000 })
      : setTimeout(resolve, 0),
  );

/** Thumbnails one at a time, each when the page is idle: they must not compete with hashing and uploads. */
export function makeThumbnailWhenIdle(file: Blob): Promise<Blob | null> {
  const made = queue.then(idle).then(() => makeThumbnail(file));
  queue = made.catch(() => undefined);
  return made;
}
