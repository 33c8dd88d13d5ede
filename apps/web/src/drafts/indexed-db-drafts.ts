import { z } from "zod";
import { writeDraft, type DraftKeeper } from "../store/draft-autosave.js";
import { draftKeyOf, draftKeyRange, type DraftShelf, type ListedDraft } from "../store/draft-shelf.js";
import { readSavedDraft, type SavedDraft } from "../store/saved-draft.js";

const STORE = "drafts";

/** How long a tab asked to let go of a draft may take before the draft is taken from it (a frozen tab). */
const TAKE_OVER_AFTER_MS = 3_000;

/** What tabs tell each other about a user's drafts; another version of the app may send something else. */
const tabMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("let-go"), key: z.string() }),
  z.object({ kind: z.literal("changed"), key: z.string() }),
]);
type TabMessage = z.infer<typeof tabMessage>;

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

/** What another tab's offer of a draft shows: it hears of a save only when this changes. */
const summaryOf = (draft: SavedDraft) => `${draft.title}\n${draft.images.length}`;

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * One user's study drafts, kept in this browser's IndexedDB (see draftOwnerOf: text, order, upload state,
 * thumbnails and file handles; never image bytes): under `owner` and `owner#id`, one per tab that edits one.
 * A Web Lock per draft gives it to one tab at a time, so two tabs never write over each other's draft; a
 * BroadcastChannel carries what tabs tell each other (let go of this draft, a draft changed).
 */
export function createIndexedDbDraftShelf(owner: string, databaseName = "study-uploader"): DraftShelf {
  let database: Promise<IDBDatabase> | null = null;
  /** The database once open: a write at once cannot wait for it. */
  let opened: IDBDatabase | null = null;
  const db = () =>
    (database ??= openDatabase(databaseName).then((open) => {
      opened = open;
      return open;
    }));
  // Without Web Locks (very old browsers) each tab edits as if alone.
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  const lockPrefix = `${databaseName}:draft:`;
  const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(`${databaseName}:drafts`);
  const isMine = (key: string) => key === owner || key.startsWith(`${owner}#`);
  const tell = (message: TabMessage) => channel?.postMessage(message);

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

  /** The draft under `key` as this tab holds it: it writes nothing once released or taken by another tab. */
  const heldDraft = (key: string, onLost: () => void) => {
    const released = new AbortController();
    const untilReleased = new Promise<void>((resolve) => released.signal.addEventListener("abort", () => resolve()));
    let lost = false;
    /** What other tabs were last told of it: they hear again only when their offer of it would read differently. */
    let told: string | null = null;
    const writable = () => !released.signal.aborted && !lost;
    const changed = (summary: string | null) => {
      if (summary === told) return;
      told = summary;
      tell({ kind: "changed", key });
    };
    const keeper: DraftKeeper = {
      key,
      async load() {
        return readSavedDraft(await inStore("readonly", (store) => store.get(key)));
      },
      async save(draft: SavedDraft) {
        if (!writable()) return;
        await inStore("readwrite", (store) => store.put(draft, key));
        changed(summaryOf(draft));
      },
      async clear() {
        if (!writable()) return;
        await inStore("readwrite", (store) => store.delete(key));
        changed(null);
      },
      writeNow(draft) {
        if (!writable()) return;
        if (!opened) {
          void writeDraft(keeper, draft).catch(() => undefined);
          return;
        }
        // Started within the event that asks: a later task may never run on a page being unloaded.
        try {
          const transaction = opened.transaction(STORE, "readwrite");
          const store = transaction.objectStore(STORE);
          if (draft) store.put(draft, key);
          else store.delete(key);
          // Committed without waiting for this page to hear the request succeed: it may be gone by then.
          transaction.commit();
          transaction.oncomplete = () => changed(draft && summaryOf(draft));
        } catch {
          // A database closed for a newer version: the draft is then just not kept, as with a full disk.
        }
      },
      release() {
        if (released.signal.aborted) return;
        released.abort();
        tell({ kind: "changed", key });
      },
    };
    return {
      keeper,
      /** A lock callback's promise holds the lock until it settles: here, until release. */
      hold: async () => {
        tell({ kind: "changed", key });
        await untilReleased;
      },
      /** The lock was stolen (its request rejects): not one more write. */
      stolen: () => {
        if (!writable()) return;
        lost = true;
        onLost();
      },
    };
  };

  return {
    owner,
    async list() {
      const { lower, upperExclusive } = draftKeyRange(owner);
      const store = (await db()).transaction(STORE, "readonly").objectStore(STORE);
      const others = IDBKeyRange.bound(lower, upperExclusive, false, true);
      const [own, keys, values]: [unknown, IDBValidKey[], unknown[]] = await Promise.all([
        request<unknown>(store.get(owner)),
        request(store.getAllKeys(others)),
        request<unknown[]>(store.getAll(others)),
      ]);
      // Every key in the range is a string (`owner#id`).
      const kept = [{ key: owner, value: own }, ...keys.map((key, i) => ({ key: key as string, value: values[i] }))];
      return kept.flatMap(({ key, value }): ListedDraft[] => {
        const draft = readSavedDraft(value);
        return draft ? [{ key, draft }] : [];
      });
    },
    async heldKeys() {
      if (!locks) return new Set();
      const { held = [] } = await locks.query();
      const names = held.map((lock) => lock.name ?? "").filter((name) => name.startsWith(lockPrefix));
      return new Set(names.map((name) => name.slice(lockPrefix.length)));
    },
    take(key, onLost) {
      const draft = heldDraft(key, onLost);
      if (!locks) return Promise.resolve(draft.keeper);
      return new Promise((resolve) => {
        let granted = false;
        locks
          .request(`${lockPrefix}${key}`, { ifAvailable: true }, async (lock) => {
            if (!lock) return resolve(null);
            granted = true;
            resolve(draft.keeper);
            await draft.hold();
          })
          .catch(() => granted && draft.stolen());
      });
    },
    takeOver(key, onLost) {
      const draft = heldDraft(key, onLost);
      if (!locks) return Promise.resolve(draft.keeper);
      const name = `${lockPrefix}${key}`;
      return new Promise((resolve) => {
        let granted = false;
        const waiting = new AbortController();
        const timer = setTimeout(() => waiting.abort(), TAKE_OVER_AFTER_MS);
        const hold = async () => {
          clearTimeout(timer);
          granted = true;
          resolve(draft.keeper);
          await draft.hold();
        };
        locks.request(name, { signal: waiting.signal }, hold).catch(() => {
          if (granted) return draft.stolen();
          // The holder did not let go in time (a frozen tab): the draft is taken from it.
          return locks.request(name, { steal: true }, hold).catch(() => draft.stolen());
        });
      });
    },
    newKey: () => draftKeyOf(owner, randomId()),
    askToLetGo(key) {
      tell({ kind: "let-go", key });
    },
    listen(hear) {
      const onMessage = (event: MessageEvent) => {
        const message = tabMessage.safeParse(event.data);
        if (!message.success || !isMine(message.data.key)) return;
        if (message.data.kind === "let-go") hear.letGo(message.data.key);
        else hear.changed();
      };
      // A tab closed meanwhile told no one: looking again when this one is shown catches that.
      const onShown = () => document.visibilityState === "visible" && hear.changed();
      channel?.addEventListener("message", onMessage);
      document.addEventListener("visibilitychange", onShown);
      return () => {
        channel?.removeEventListener("message", onMessage);
        document.removeEventListener("visibilitychange", onShown);
      };
    },
  };
}
