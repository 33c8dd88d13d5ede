import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { core } from "zod";
import type { ApiError, ErrorCode, FileProblem } from "@study-uploader/shared";
import type { Logger } from "./logger.js";
import { isStorageFailure } from "./storage/storage-errors.js";

/** An error meant for the client: its status, code and message are sent as they are. */
export class ApiProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly files?: FileProblem[],
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiProblem(404, "not_found", `${what} not found`);

export function errorBody(code: ErrorCode, message: string, files?: FileProblem[]): ApiError {
  return { error: { code, message, ...(files && files.length > 0 ? { files } : {}) } };
}

/** Turns zod issues into one message plus a problem per file when an issue points into `files[i]` or `elements[i]`. */
export function validationProblem(error: core.$ZodError): ApiProblem {
  const files: FileProblem[] = [];
  const messages: string[] = [];
  for (const issue of error.issues) {
    const where = issue.path.map(String).join(".");
    const [list, index, field] = issue.path;
    if ((list === "files" || list === "elements") && typeof index === "number") {
      files.push({ index, problem: field === undefined ? issue.message : `${String(field)}: ${issue.message}` });
    }
    messages.push(where ? `${where}: ${issue.message}` : issue.message);
  }
  const unique = [...new Set(messages)];
  const shown = unique.slice(0, 10).join("; ") + (unique.length > 10 ? `; and ${unique.length - 10} more` : "");
  return new ApiProblem(400, "invalid_request", `Invalid request: ${shown}`, files);
}

/** The single place errors become responses: every error leaves in the same JSON shape. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  if (error instanceof ApiProblem) {
    return c.json(errorBody(error.code, error.message, error.files), error.status, error.headers);
  }
  // An ApiProblem raised inside a middleware that wraps failures (hono/jwk's key lookup) keeps its meaning.
  if (error instanceof HTTPException && error.cause instanceof ApiProblem) return handleError(error.cause, c, logger);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code: ErrorCode =
      status === 413
        ? "payload_too_large"
        : status === 401
          ? "unauthorized"
          : status === 404
            ? "not_found"
            : /malformed json/i.test(error.message)
              ? "invalid_json"
              : "invalid_request";
    // Keeps the auth middleware's WWW-Authenticate challenge, which tells a client its token was refused.
    const challenge = error.res?.headers.get("WWW-Authenticate");
    return c.json(
      errorBody(code, error.message || "Bad request"),
      status,
      challenge ? { "WWW-Authenticate": challenge } : {},
    );
  }
  if (isStorageFailure(error)) {
    logger.warn("storage request failed", {
      requestId: c.get("requestId"),
      error: error.message,
      statusCode: error.statusCode,
    });
    return c.json(errorBody("storage_unavailable", "Storage is not answering; try again shortly"), 503);
  }
  logger.error("unhandled error", { requestId: c.get("requestId"), error: error.stack ?? String(error) });
  return c.json(errorBody("internal_error", "Something went wrong on our side"), 500);
}
