import type { Page } from "@playwright/test";

/** What the page kept of its draft in IndexedDB, as plain data (no blobs or handles). */
export interface KeptDraft {
  title: string;
  batchId: string | null;
  expiresAt: number;
  images: { name: string; label: string; batchIndex: number | null; md5: string | null; uploaded: boolean }[];
  thumbnails: number;
}

/**
 * Reads (or, with `expiresAt`, rewrites) the draft the app keeps in this origin's IndexedDB: the test looks at
 * the browser's real storage, as a developer would in DevTools. Null when nothing is kept.
 */
export async function keptDraft(page: Page, change?: { expiresAt: number }): Promise<KeptDraft | null> {
  return page.evaluate(async (change) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("study-uploader");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error("IndexedDB open failed"));
    });
    try {
      if (!db.objectStoreNames.contains("drafts")) return null;
      const store = db.transaction("drafts", change ? "readwrite" : "readonly").objectStore("drafts");
      const draft = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const get = store.get("current");
        get.onsuccess = () => resolve(get.result as Record<string, unknown> | undefined);
        get.onerror = () => reject(get.error ?? new Error("IndexedDB read failed"));
      });
      if (!draft) return null;
      if (change) {
        await new Promise<void>((resolve, reject) => {
          const put = store.put({ ...draft, ...change }, "current");
          put.onsuccess = () => resolve();
          put.onerror = () => reject(put.error ?? new Error("IndexedDB write failed"));
        });
      }
      const images = draft.images as {
        file: { name: string };
        label: string;
        batchIndex: number | null;
        md5: string | null;
        uploaded: boolean;
        thumbnail: Blob | null;
      }[];
      return {
        title: draft.title as string,
        batchId: draft.batchId as string | null,
        expiresAt: draft.expiresAt as number,
        images: images.map((i) => ({
          name: i.file.name,
          label: i.label,
          batchIndex: i.batchIndex,
          md5: i.md5,
          uploaded: i.uploaded,
        })),
        thumbnails: images.filter((i) => i.thumbnail instanceof Blob && i.thumbnail.size > 0).length,
      };
    } finally {
      db.close();
    }
  }, change);
}

/**
 * Gives the kept draft's images these files as browser file handles, as Chromium keeps them for dropped files.
 * Playwright cannot drop a real file or drive the permission prompt, so the handles come from the origin's private
 * file system (OPFS), which needs no prompt: what the app then does with them is the real path.
 */
export async function keepFileHandles(page: Page, files: { name: string; base64: string }[]): Promise<void> {
  await page.evaluate(async (files) => {
    const root = await navigator.storage.getDirectory();
    const handles = new Map<string, FileSystemFileHandle>();
    for (const file of files) {
      const handle = await root.getFileHandle(file.name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0)));
      await writable.close();
      handles.set(file.name, handle);
    }
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("study-uploader");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error("IndexedDB open failed"));
    });
    const store = db.transaction("drafts", "readwrite").objectStore("drafts");
    const draft = await new Promise<{ images: { file: { name: string }; handle: unknown }[] }>((resolve, reject) => {
      const get = store.get("current");
      get.onsuccess = () => resolve(get.result as never);
      get.onerror = () => reject(get.error ?? new Error("IndexedDB read failed"));
    });
    for (const image of draft.images) image.handle = handles.get(image.file.name) ?? image.handle;
    await new Promise<void>((resolve, reject) => {
      const put = store.put(draft, "current");
      put.onsuccess = () => resolve();
      put.onerror = () => reject(put.error ?? new Error("IndexedDB write failed"));
    });
    db.close();
  }, files);
}
