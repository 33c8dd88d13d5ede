import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { core } from "zod";
import type { ApiError, ErrorCode, FileProblem } from "@study-uploader/shared";
import { DomainError, type DomainErrorKind } from "./domain/domain-error.js";
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

/** The one place a domain error's kind becomes an HTTP status. */
export const STATUS_OF_KIND: Record<DomainErrorKind, ContentfulStatusCode> = {
  "not-found": 404,
  invalid: 400,
  conflict: 409,
  "too-large": 413,
  "refused-files": 422,
  busy: 503,
};

/** A domain error as the client gets it: its kind's status, its code, message and files, Retry-After if it has one. */
export function domainProblem(error: DomainError): ApiProblem {
  const { files, retryAfterSeconds } = error.details;
  const headers = retryAfterSeconds === undefined ? undefined : { "Retry-After": String(retryAfterSeconds) };
  return new ApiProblem(STATUS_OF_KIND[error.kind], error.code, error.message, files, headers);
}

/** The one constructor of error responses: every error body has the shape `{ error: { code, message, files? } }`. */
export function problemResponse(c: Context, problem: ApiProblem): Response {
  const { code, message, files } = problem;
  const body: ApiError = { error: { code, message, ...(files && files.length > 0 ? { files } : {}) } };
  return c.json(body, problem.status, problem.headers);
}

/** The answer for a method and path that no route serves, inside /api and out. */
export const noRoute = (c: Context) =>
  problemResponse(c, new ApiProblem(404, "not_found", `No route for ${c.req.method} ${c.req.path}`));

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

/** Hono's own refusals (body limit, malformed JSON, auth) in our codes. */
function httpExceptionProblem(error: HTTPException): ApiProblem {
  const status = error.status;
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
  return new ApiProblem(
    status,
    code,
    error.message || "Bad request",
    undefined,
    challenge ? { "WWW-Authenticate": challenge } : undefined,
  );
}

/** The single place errors become responses: every error leaves in the same JSON shape. */
export function handleError(error: Error, c: Context, logger: Logger): Response {
  if (error instanceof ApiProblem) return problemResponse(c, error);
  if (error instanceof DomainError) return problemResponse(c, domainProblem(error));
  // An ApiProblem raised inside a middleware that wraps failures (hono/jwk's key lookup) keeps its meaning.
  if (error instanceof HTTPException && error.cause instanceof ApiProblem) return problemResponse(c, error.cause);
  if (error instanceof HTTPException) return problemResponse(c, httpExceptionProblem(error));
  if (isStorageFailure(error)) {
    logger.warn("storage request failed", {
      requestId: c.get("requestId"),
      error: error.message,
      statusCode: error.statusCode,
    });
    return problemResponse(
      c,
      new ApiProblem(503, "storage_unavailable", "Storage is not answering; try again shortly"),
    );
  }
  logger.error("unhandled error", { requestId: c.get("requestId"), error: error.stack ?? String(error) });
  return problemResponse(c, new ApiProblem(500, "internal_error", "Something went wrong on our side"));
}
