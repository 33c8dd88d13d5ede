import type { BlobTransport, PutBlobOutcome } from "./blob-transport.js";

type XhrFactory = () => XMLHttpRequest;

/**
 * The browser transport: XMLHttpRequest, because only its `upload.onprogress` reports bytes as they leave
 * (fetch cannot stream request bodies over HTTP/1.1, which is all Blob Storage speaks).
 */
export function createXhrPutBlob(createXhr: XhrFactory = () => new XMLHttpRequest()): BlobTransport {
  return (request) =>
    new Promise<PutBlobOutcome>((resolve) => {
      if (request.signal.aborted) {
        resolve({ kind: "aborted" });
        return;
      }
      const xhr = createXhr();
      const abort = () => xhr.abort();
      const settle = (outcome: PutBlobOutcome) => {
        request.signal.removeEventListener("abort", abort);
        resolve(outcome);
      };
      xhr.open("PUT", request.url);
      for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
      // Listeners on xhr.upload must exist before send(), or the browser never emits upload progress.
      xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
      xhr.onload = () =>
        settle({ kind: "response", status: xhr.status, errorCode: xhr.getResponseHeader("x-ms-error-code") });
      xhr.onerror = () => settle({ kind: "network-error" });
      xhr.ontimeout = () => settle({ kind: "network-error" });
      xhr.onabort = () => settle({ kind: "aborted" });
      request.signal.addEventListener("abort", abort, { once: true });
      xhr.send(request.body);
    });
}
