import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { RestError } from "@azure/storage-blob";
import { isNetworkError } from "./storage-errors.js";

/** What storage answered to one plain request. */
export interface BlobResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One header of a response (Node gives a list only for a few, like Set-Cookie). */
export const responseHeader = (response: BlobResponse, name: string): string | undefined =>
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

function sendOnce(url: URL, method: string, headers: Record<string, string>, body?: Buffer): Promise<BlobResponse> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method, headers, agent: agents[url.protocol as keyof typeof agents], timeout: TRY_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
      },
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

/**
 * One request to a blob URL that carries its own SAS: plain HTTP, without the SDK's pipeline of policies, for the
 * commit's calls, most of them one per file. Retries like the SDK does; an error answer throws a RestError with
 * storage's status and error code, as the SDK's calls do.
 */
export async function sendBlobRequest(
  url: string,
  method: "GET" | "PUT",
  headers: Record<string, string>,
  body?: Buffer,
): Promise<BlobResponse> {
  const target = new URL(url);
  // Requests are made in the service version the SAS was signed for.
  const version = target.searchParams.get("sv");
  const allHeaders = {
    ...headers,
    ...(version ? { "x-ms-version": version } : {}),
    ...(body ? { "content-length": String(body.length) } : {}),
  };
  for (let attempt = 1, delay = RETRY_DELAY_MS.first; ; attempt++, delay = Math.min(2 * delay, RETRY_DELAY_MS.max)) {
    let response: BlobResponse;
    try {
      response = await sendOnce(target, method, allHeaders, body);
    } catch (error) {
      if (attempt >= MAX_TRIES || !isNetworkError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    if (response.status < 400) return response;
    if (attempt >= MAX_TRIES || !RETRY_STATUSES.has(response.status)) {
      const code = responseHeader(response, "x-ms-error-code");
      throw new RestError(`storage answered ${response.status}${code ? ` ${code}` : ""} to ${method}`, {
        statusCode: response.status,
        code,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** A blob's metadata as the request headers that set it. */
export const metadataHeaders = (metadata: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata).map(([key, value]) => [`x-ms-meta-${key}`, value]));

/** A blob's URL in a container: each path segment escaped, as the SDK builds it. */
export const blobUrl = (containerUrl: string, blobName: string) =>
  `${containerUrl}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
