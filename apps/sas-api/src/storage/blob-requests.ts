import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { RestError } from "@azure/storage-blob";
import { sleep } from "@study-uploader/shared";
import { isNetworkError } from "./storage-errors.js";

/** What storage answered to one plain request. */
export interface BlobResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One header of a response (Node gives a list only for a few, like Set-Cookie). */
export const responseHeader = (response: Pick<BlobResponse, "headers">, name: string): string | undefined =>
  [response.headers[name]].flat()[0];

/** Same budget as the SDK pipeline's (storage-account.ts): three tries, quick backoff, 30 s per try. */
const MAX_TRIES = 3;
const RETRY_DELAY_MS = { first: 100, max: 1000 };
const TRY_TIMEOUT_MS = 30_000;
/** Answers worth another try: storage busy or failing for a moment (as the SDK's retry policy judges them). */
const RETRY_STATUSES = new Set([408, 500, 502, 503, 504]);

const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/** One try: the response as soon as its headers are in, its body still to be read. */
function requestOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method, headers, agent: agents[url.protocol as keyof typeof agents], timeout: TRY_TIMEOUT_MS },
      resolve,
    );
    request.on("timeout", () =>
      request.destroy(
        Object.assign(new Error(`storage did not answer in ${TRY_TIMEOUT_MS} ms`), { code: "ETIMEDOUT" }),
      ),
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function readBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Sends until storage answers (retrying like the SDK does) and `receive` has what it wants of a successful answer;
 * an error answer throws a RestError with storage's status and error code, as the SDK's calls do.
 */
async function sendWithRetries<T>(
  url: string,
  method: "GET" | "PUT",
  headers: Record<string, string>,
  body: Buffer | undefined,
  receive: (response: IncomingMessage) => Promise<T>,
): Promise<T> {
  const target = new URL(url);
  // Requests are made in the service version the SAS was signed for.
  const version = target.searchParams.get("sv");
  const allHeaders = {
    ...headers,
    ...(version ? { "x-ms-version": version } : {}),
    ...(body ? { "content-length": String(body.length) } : {}),
  };
  for (let attempt = 1, delay = RETRY_DELAY_MS.first; ; attempt++, delay = Math.min(2 * delay, RETRY_DELAY_MS.max)) {
    let status: number;
    let code: string | undefined;
    try {
      const response = await requestOnce(target, method, allHeaders, body);
      status = response.statusCode ?? 0;
      if (status < 400) return await receive(response);
      code = responseHeader(response, "x-ms-error-code");
      // Storage's error code is in a header: the body (its XML) is not needed.
      response.resume();
    } catch (error) {
      if (attempt >= MAX_TRIES || !isNetworkError(error)) throw error;
      await sleep(delay);
      continue;
    }
    if (attempt >= MAX_TRIES || !RETRY_STATUSES.has(status)) {
      throw new RestError(`storage answered ${status}${code ? ` ${code}` : ""} to ${method}`, {
        statusCode: status,
        code,
      });
    }
    await sleep(delay);
  }
}

/**
 * One request to a blob URL that carries its own SAS: plain HTTP, without the SDK's pipeline of policies, for the
 * commit's calls, most of them one per file. Retries like the SDK does, the body's transfer included.
 */
export function sendBlobRequest(
  url: string,
  method: "GET" | "PUT",
  headers: Record<string, string>,
  body?: Buffer,
): Promise<BlobResponse> {
  return sendWithRetries(url, method, headers, body, async (response) => ({
    status: response.statusCode ?? 0,
    headers: response.headers,
    body: await readBody(response),
  }));
}

/**
 * A GET whose body is read as it arrives, chunk by chunk, for reads too large to hold at once. Retried like
 * sendBlobRequest until the body starts; a failure after that throws from the iteration. Breaking off the
 * iteration ends the request (its connection is not reused).
 */
export function streamBlob(url: string, headers: Record<string, string>): Promise<AsyncIterable<Uint8Array>> {
  return sendWithRetries(url, "GET", headers, undefined, async (response) => response);
}

/** A blob's metadata as the request headers that set it. */
export const metadataHeaders = (metadata: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata).map(([key, value]) => [`x-ms-meta-${key}`, value]));

/** A blob's URL in a container: each path segment escaped, as the SDK builds it. */
export const blobUrl = (containerUrl: string, blobName: string) =>
  `${containerUrl}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
