import { RestError } from "@azure/storage-blob";

/** Storage answered with this HTTP status (404 missing, 409 already exists, 416 empty blob, ...). */
export function isRestStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}

/** Storage's error code (x-ms-error-code), e.g. "LeaseIdMissing"; undefined when there is none. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof RestError)) return undefined;
  const details = error.details as { errorCode?: unknown } | undefined;
  return typeof details?.errorCode === "string" ? details.errorCode : error.code;
}

/**
 * Storage failed the request or could not be reached: a fault outside the API, worth a retry by the caller.
 * `statusCode` is storage's answer when there was one.
 */
export function isStorageFailure(error: unknown): error is Error & { statusCode?: number } {
  return error instanceof RestError || isNetworkError(error);
}

/** The request never got an answer: the connection failed, was cut or timed out. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code);
}
