import type { Page } from "@playwright/test";

/** What the page kept of a draft in IndexedDB, as plain data (no blobs or handles), and the key it is kept under. */
export interface KeptDraft {
  key: string;
  title: string;
  batchId: string | null;
  expiresAt: number;
  images: { name: string; label: string; batchIndex: number | null; md5: string | null; uploaded: boolean }[];
  thumbnails: number;
}

/** The key of the draft kept when no one is signed in (the API runs open). */
const OPEN_DRAFT_KEY = "anonymous";

/**
 * Every draft the app keeps in this origin's IndexedDB: the test looks at the browser's real storage, as a
 * developer would in DevTools.
 */
export async function keptDrafts(page: Page): Promise<KeptDraft[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("study-uploader");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error("IndexedDB open failed"));
    });
    try {
      if (!db.objectStoreNames.contains("drafts")) return [];
      const store = db.transaction("drafts", "readonly").objectStore("drafts");
      const read = <T>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error("IndexedDB read failed"));
        });
      const [keys, drafts] = await Promise.all([read(store.getAllKeys()), read(store.getAll())]);
      return (drafts as Record<string, unknown>[]).map((draft, i) => {
        // The form's images, and the study session's snapshot of their uploads (version 2).
        const images = draft.images as { id: string; file: { name: string }; label: string; thumbnail: Blob | null }[];
        const upload = draft.upload as {
          batchId: string | null;
          files: { id: string; index: number; md5: string | null; uploaded: boolean }[];
        };
        const uploadOf = new Map(upload.files.map((file) => [file.id, file]));
        return {
          key: keys[i] as string,
          title: draft.title as string,
          batchId: upload.batchId,
          expiresAt: draft.expiresAt as number,
          images: images.map((image) => ({
            name: image.file.name,
            label: image.label,
            batchIndex: uploadOf.get(image.id)?.index ?? null,
            md5: uploadOf.get(image.id)?.md5 ?? null,
            uploaded: uploadOf.get(image.id)?.uploaded ?? false,
          })),
          thumbnails: images.filter((image) => image.thumbnail instanceof Blob && image.thumbnail.size > 0).length,
        };
      });
    } finally {
      db.close();
    }
  });
}

/**
 * The draft kept while no one is signed in (or, with `change`, rewrites its expiry first); null when none is kept.
 */
export async function keptDraft(page: Page, change?: { expiresAt: number }): Promise<KeptDraft | null> {
  if (change) {
    await page.evaluate(
      async ({ key, change }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open("study-uploader");
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error ?? new Error("IndexedDB open failed"));
        });
        const store = db.transaction("drafts", "readwrite").objectStore("drafts");
        const draft = await new Promise<object>((resolve, reject) => {
          const get = store.get(key);
          get.onsuccess = () => resolve(get.result as object);
          get.onerror = () => reject(get.error ?? new Error("IndexedDB read failed"));
        });
        await new Promise<void>((resolve, reject) => {
          const put = store.put({ ...draft, ...change }, key);
          put.onsuccess = () => resolve();
          put.onerror = () => reject(put.error ?? new Error("IndexedDB write failed"));
        });
        db.close();
      },
      { key: OPEN_DRAFT_KEY, change },
    );
  }
  return (await keptDrafts(page)).find((draft) => draft.key === OPEN_DRAFT_KEY) ?? null;
}

/**
 * Gives the kept draft's images these files as browser file handles, as Chromium keeps them for dropped files.
 * Playwright cannot drop a real file or drive the permission prompt, so the handles come from the origin's private
 * file system (OPFS), which needs no prompt: what the app then does with them is the real path.
 */
export async function keepFileHandles(page: Page, files: { name: string; base64: string }[]): Promise<void> {
  await page.evaluate(
    async ({ key, files }) => {
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
        const get = store.get(key);
        get.onsuccess = () => resolve(get.result as never);
        get.onerror = () => reject(get.error ?? new Error("IndexedDB read failed"));
      });
      for (const image of draft.images) image.handle = handles.get(image.file.name) ?? image.handle;
      await new Promise<void>((resolve, reject) => {
        const put = store.put(draft, key);
        put.onsuccess = () => resolve();
        put.onerror = () => reject(put.error ?? new Error("IndexedDB write failed"));
      });
      db.close();
    },
    { key: OPEN_DRAFT_KEY, files },
  );
}
