import type { DraftKeeper } from "../store/draft-autosave.js";
import { readSavedDraft } from "../store/saved-draft.js";

const STORE = "drafts";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

async function openDatabase(name: string): Promise<IDBDatabase> {
  const opening = indexedDB.open(name, 2);
  opening.onupgradeneeded = () => {
    if (!opening.result.objectStoreNames.contains(STORE)) opening.result.createObjectStore(STORE);
    // Version 1 kept one draft per browser under "current", whoever typed it: it can be given to no one.
    else opening.transaction!.objectStore(STORE).delete("current");
  };
  const db = await request(opening);
  // A newer version of the app in another tab must not wait for this one to close.
  db.onversionchange = () => db.close();
  return db;
}

/**
 * One user's study draft, kept in this browser's IndexedDB under `owner` (see draftOwnerOf: text, order, upload
 * state, thumbnails and file handles; never image bytes). One tab at a time edits it: the Web Locks API gives
 * it to the first tab, and a later tab waits for the lock, so two tabs never write over each other's draft.
 */
export function createIndexedDbDraftKeeper(owner: string, databaseName = "study-uploader"): DraftKeeper {
  let database: Promise<IDBDatabase> | null = null;
  const db = () => (database ??= openDatabase(databaseName));
  /** Aborted by release: the lock is let go, or no longer waited for. */
  const released = new AbortController();
  const untilReleased = new Promise<void>((resolve) => released.signal.addEventListener("abort", () => resolve()));

  const inStore = async <T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>) => {
    const transaction = (await db()).transaction(STORE, mode);
    const result = await request(run(transaction.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB transaction failed"));
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction aborted"));
    });
    return result;
  };

  return {
    claim(onHeldElsewhere) {
      const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
      // Without Web Locks (very old browsers) each tab edits as if alone.
      if (!locks) return Promise.resolve();
      const lockName = `${databaseName}:draft:${owner}`;
      return new Promise<void>((resolve) => {
        // A lock callback's promise holds the lock until it settles: here, until release.
        const hold = async () => {
          resolve();
          await untilReleased;
        };
        void locks.request(lockName, { ifAvailable: true }, async (lock) => {
          if (lock) return hold();
          onHeldElsewhere();
          // Released while waiting: the request is withdrawn (it rejects), and the claim ends unheld.
          locks.request(lockName, { signal: released.signal }, hold).catch(() => resolve());
        });
      });
    },
    async load() {
      return readSavedDraft(await inStore("readonly", (store) => store.get(owner)));
    },
    async save(draft) {
      await inStore("readwrite", (store) => store.put(draft, owner));
    },
    async clear() {
      await inStore("readwrite", (store) => store.delete(owner));
    },
    release() {
      released.abort();
      void database?.then((open) => open.close()).catch(() => undefined);
    },
  };
}
