import type { ErrorCode, FileProblem } from "@study-uploader/shared";

/** What went wrong, in the domain's words; the routes alone say which HTTP status that is. */
export type DomainErrorKind =
  /** No such thing for this owner: missing, foreign, discarded or expired look the same. */
  | "not-found"
  /** The request cannot be read as asked (a cursor this API never handed out). */
  | "invalid"
  /** The thing's state forbids it now: committed, deleted, or being changed by another request. */
  | "conflict"
  /** More files or bytes than a batch may hold. */
  | "too-large"
  /** Some files the request names are wrong; `files` says which and why. */
  | "refused-files"
  /** This instance cannot take the work right now. */
  | "busy";

export interface DomainErrorDetails {
  /** The files at fault, each with its problem. */
  files?: FileProblem[];
  /** When asking again makes sense: the caller may retry after this many seconds. */
  retryAfterSeconds?: number;
}

/** A refusal the client is told about as it is: its kind, machine-readable code, message and details. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: ErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

/** A missing, foreign or expired thing, all alike so that no one learns what others hold. */
export const notFound = (what: string) => new DomainError("not-found", "not_found", `${what} not found`);
