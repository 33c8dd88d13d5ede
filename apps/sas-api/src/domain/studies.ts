import type { Study, StudyList } from "@study-uploader/shared";
import { readUrlValidity } from "../storage/read-url-window.js";
import { isRestStatus } from "../storage/storage-errors.js";
import type { BatchDeps } from "./batches.js";
import { DomainError, notFound } from "./domain-error.js";
import { imageLocation, isDeletedStudy, storedStudySchema, studyRecordName, type StudyRecord } from "./records.js";
import { readStudyIndex } from "./study-index.js";

/** The study as the API shows it: each image behind a short-lived read URL, the same one all through a window. */
export async function toStudy(deps: BatchDeps, record: StudyRecord): Promise<Study> {
  const validity = readUrlsValidity(deps);
  const location = imageLocation(record);
  return {
    id: record.id,
    title: record.title,
    description: record.description,
    createdAt: record.createdAt,
    elements: await Promise.all(
      // The record keeps the study's order; an element's index is its position in it.
      record.elements.map(async (element, position) => ({
        index: position,
        label: element.label,
        name: element.name,
        size: element.size,
        type: element.type,
        width: "width" in element ? element.width : null,
        height: "height" in element ? element.height : null,
        url: await deps.storage.sas.readUrl(location, element.blobName, element.type, validity),
        downloadUrl: await deps.storage.sas.readUrl(location, element.blobName, element.type, validity, element.name),
      })),
    ),
  };
}

export const readUrlsValidity = (deps: Pick<BatchDeps, "config" | "now">) =>
  readUrlValidity(deps.now(), deps.config.readSasTtlSeconds, deps.config.readUrlWindowSeconds);

export async function getStudy(deps: BatchDeps, owner: string, studyId: string): Promise<Study> {
  const record = await deps.storage.records.read("studies", studyRecordName(owner, studyId), storedStudySchema);
  // A deleted study is gone for its owner too; only the commit sees what is left of it.
  if (!record || isDeletedStudy(record)) throw notFound("Study");
  return toStudy(deps, record);
}

const badCursor = () =>
  new DomainError("invalid", "invalid_request", "Invalid request: cursor is not one this API handed out");

/** Storage's continuation marker travels as base64url, so any cursor is URL-safe and checked by shape first. */
const encodeCursor = (marker: string) => Buffer.from(marker, "utf8").toString("base64url");

/** Storage's markers are printable ASCII; anything else did not come from this API. */
const MARKER_PATTERN = /^[\x21-\x7e]{1,1024}$/;

function decodeCursor(cursor: string): string {
  const marker = Buffer.from(cursor, "base64url").toString("utf8");
  if (encodeCursor(marker) !== cursor || !MARKER_PATTERN.test(marker)) throw badCursor();
  return marker;
}

/** A page of the owner's studies, newest first; its cost is one storage call however many studies there are. */
export async function listStudies(
  deps: Pick<BatchDeps, "storage" | "config" | "now">,
  owner: string,
  query: { limit: number; cursor?: string },
): Promise<StudyList> {
  const marker = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  try {
    const page = await readStudyIndex(deps.storage, owner, query.limit, marker, readUrlsValidity(deps));
    return { studies: page.studies, nextCursor: page.nextMarker === null ? null : encodeCursor(page.nextMarker) };
  } catch (error) {
    // A marker storage cannot read is the client's mistake, not an outage.
    if (marker !== undefined && isRestStatus(error, 400)) throw badCursor();
    throw error;
  }
}
