import type { DraftKeeper } from "../store/draft-autosave.js";
import type { SavedDraft } from "../store/saved-draft.js";

const STORE = "drafts";
const KEY = "current";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function openDatabase(name: string): Promise<IDBDatabase> {
  const opening = indexedDB.open(name, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  return request(opening);
}

/** Resolves never: a lock callback that awaits it holds the lock until the page goes away. */
const heldUntilPageCloses = new Promise<never>(() => undefined);

/**
 * The study draft kept in this browser's IndexedDB (text, order, upload state, thumbnails and file handles;
 * never image bytes). One tab at a time edits it: the Web Locks API gives it to the first tab, and a later tab
 * waits for the lock, so two tabs never write over each other's draft.
 */
export function createIndexedDbDraftKeeper(databaseName = "study-uploader"): DraftKeeper {
  let database: Promise<IDBDatabase> | null = null;
  const db = () => (database ??= openDatabase(databaseName));

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
      const lockName = `${databaseName}:draft`;
      return new Promise<void>((resolve) => {
        void locks.request(lockName, { ifAvailable: true }, async (lock) => {
          if (lock) {
            resolve();
            return heldUntilPageCloses;
          }
          onHeldElsewhere();
          void locks.request(lockName, async () => {
            resolve();
            return heldUntilPageCloses;
          });
        });
      });
    },
    async load() {
      const saved = (await inStore("readonly", (store) => store.get(KEY))) as SavedDraft | undefined;
      return saved?.version === 1 ? saved : null;
    },
    async save(draft) {
      await inStore("readwrite", (store) => store.put(draft, KEY));
    },
    async clear() {
      await inStore("readwrite", (store) => store.delete(KEY));
    },
  };
}
