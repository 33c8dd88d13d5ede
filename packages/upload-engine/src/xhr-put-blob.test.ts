import { describe, expect, it } from "vitest";
import { createXhrPutBlob } from "./xhr-put-blob.js";

/** Just enough of XMLHttpRequest to drive the transport's event handlers by hand. */
class FakeXhr {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseHeaders: Record<string, string> = {};
  aborted = false;
  upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
}

function setup() {
  const xhrs: FakeXhr[] = [];
  const transport = createXhrPutBlob(() => {
    const xhr = new FakeXhr();
    xhrs.push(xhr);
    return xhr as unknown as XMLHttpRequest;
  });
  const progress: number[] = [];
  const controller = new AbortController();
  const body = new Blob(["hello"]);
  const outcome = transport({
    url: "http://storage/c/blob?sig=1",
    headers: { "x-ms-blob-type": "BlockBlob", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==" },
    body,
    signal: controller.signal,
    onProgress: (sent) => progress.push(sent),
  });
  return { xhr: xhrs[0]!, outcome, progress, controller, body };
}

describe("createXhrPutBlob", () => {
  it("PUTs the body with every header and reports upload progress", async () => {
    const { xhr, outcome, progress, body } = setup();
    expect(xhr.method).toBe("PUT");
    expect(xhr.url).toBe("http://storage/c/blob?sig=1");
    expect(xhr.headers).toEqual({ "x-ms-blob-type": "BlockBlob", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==" });
    expect(xhr.body).toBe(body);
    xhr.upload.onprogress?.({ loaded: 2 });
    xhr.upload.onprogress?.({ loaded: 5 });
    xhr.status = 201;
    xhr.onload?.();
    await expect(outcome).resolves.toEqual({ kind: "response", status: 201, errorCode: null });
    expect(progress).toEqual([2, 5]);
  });

  it("returns the storage error code of a refusal", async () => {
    const { xhr, outcome } = setup();
    xhr.status = 403;
    xhr.responseHeaders["x-ms-error-code"] = "AuthorizationFailure";
    xhr.onload?.();
    await expect(outcome).resolves.toEqual({ kind: "response", status: 403, errorCode: "AuthorizationFailure" });
  });

  it("reports network errors", async () => {
    const { xhr, outcome } = setup();
    xhr.onerror?.();
    await expect(outcome).resolves.toEqual({ kind: "network-error" });
  });

  it("aborts the request when the signal aborts", async () => {
    const { xhr, outcome, controller } = setup();
    controller.abort();
    expect(xhr.aborted).toBe(true);
    await expect(outcome).resolves.toEqual({ kind: "aborted" });
  });
});
