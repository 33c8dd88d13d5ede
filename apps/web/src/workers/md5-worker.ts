import { createWorkerMd5, type Md5Hasher } from "@study-uploader/upload-engine";

/** Hashes files in a module worker (Vite bundles `md5.worker.ts` as its own chunk); on the main thread without one. */
export function createBrowserMd5(): Md5Hasher {
  return createWorkerMd5(() => new Worker(new URL("./md5.worker.ts", import.meta.url), { type: "module" }));
}
