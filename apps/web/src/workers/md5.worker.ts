// The protocol's own entry, not the package index: the index would bring the API contract (zod) into the worker.
import { createMd5MessageHandler, type Md5WorkerRequest } from "@study-uploader/upload-engine/md5-worker-protocol";

// The app's tsconfig has the DOM lib, not WebWorker: inside a dedicated worker, `self` posts to the page.
const scope = self as unknown as { postMessage(message: unknown): void };
const handle = createMd5MessageHandler((response) => scope.postMessage(response));

self.onmessage = (event: MessageEvent<Md5WorkerRequest>) => handle(event.data);
