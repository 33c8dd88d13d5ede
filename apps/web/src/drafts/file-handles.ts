import type { KeptFileHandle } from "../store/saved-draft.js";

/** Chromium's File System Access API on a dropped item; absent elsewhere. */
interface ItemWithHandle {
  getAsFileSystemHandle?: () => Promise<{ kind: string } | null>;
}

/**
 * The dropped file's handle where the browser has one (Chromium), which IndexedDB can keep so a reload can read
 * the file again after asking permission; null elsewhere. Must be called during the drop event.
 */
export function keptFileHandle(item: DataTransferItem): Promise<KeptFileHandle | null> {
  const getHandle = (item as DataTransferItem & ItemWithHandle).getAsFileSystemHandle;
  if (!getHandle) return Promise.resolve(null);
  return getHandle.call(item).then(
    (handle) => (handle?.kind === "file" ? (handle as KeptFileHandle) : null),
    () => null,
  );
}
