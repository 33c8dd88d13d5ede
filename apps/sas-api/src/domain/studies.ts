import { type CommitStudyRequest, type FileProblem, type Study, type StudyList } from "@study-uploader/shared";
import { ApiProblem, notFound } from "../errors.js";
import { assertStillStaging, loadOwnBatch, type BatchDeps } from "./batches.js";
import { studyIdForBatch } from "./ids.js";
import { studyRecordName, studyRecordSchema, type BatchPlan, type StudyRecord } from "./records.js";
import { contentProblem, metadataProblem } from "./verify-image.js";

async function toStudy(deps: BatchDeps, record: StudyRecord): Promise<Study> {
  const expiresOn = new Date(Date.now() + deps.config.readSasTtlSeconds * 1000);
  return {
    id: record.id,
    title: record.title,
    description: record.description,
    createdAt: record.createdAt,
    elements: await Promise.all(
      record.elements.map(async ({ index, label, name, size, type, blobName }) => ({
        index,
        label,
        name,
        size,
        type,
        width: null,
        height: null,
        url: await deps.storage.sas.readUrl(blobName, type, expiresOn),
      })),
    ),
  };
}

/** Every file of the batch needs exactly one element. */
function elementProblems(plan: BatchPlan, request: CommitStudyRequest): FileProblem[] {
  const problems: FileProblem[] = [];
  const seen = new Set<number>();
  for (const element of request.elements) {
    if (element.index >= plan.files.length)
      problems.push({ index: element.index, problem: "no such file in this batch" });
    else if (seen.has(element.index)) problems.push({ index: element.index, problem: "listed more than once" });
    seen.add(element.index);
  }
  for (const file of plan.files) {
    if (!seen.has(file.index)) problems.push({ index: file.index, problem: "missing from the study's elements" });
  }
  return problems;
}

/** What the check of one staged image found. */
interface Verdict {
  /** Why it may not be committed; null when it may. */
  problem: string | null;
  /** The uploader sent another Content-Type than the verified one: storage must be told the right one. */
  needsSeal: boolean;
}

/** Verifies one staged image against the plan and the browser's MD5 with a single storage read. */
async function verifyStagedImage(deps: BatchDeps, file: BatchPlan["files"][number], md5: string): Promise<Verdict> {
  const observed = await deps.storage.images.inspect(file.blobName);
  const expected = { size: file.size, type: file.type, md5 };
  const problem = observed
    ? (metadataProblem(expected, observed) ?? contentProblem(file.type, observed.head))
    : metadataProblem(expected, null);
  // A create-only URL cannot overwrite, so a bad blob must go before the file can be sent again.
  if (problem && observed) await deps.storage.images.delete(file.blobName);
  return { problem, needsSeal: observed?.contentType !== file.type };
}

export type CommitOutcome = { created: boolean; study: Study };

/**
 * Commits a batch as a study only after every image is verified in storage. The record is written with a
 * conditional create keyed by the batch, so retries and concurrent commits yield exactly one study.
 */
export async function commitStudy(deps: BatchDeps, owner: string, request: CommitStudyRequest): Promise<CommitOutcome> {
  const plan = await loadOwnBatch(deps, owner, request.batchId);
  const studyId = studyIdForBatch(plan.batchId);
  const recordName = studyRecordName(owner, studyId);

  const existing = await deps.storage.records.read("studies", recordName, studyRecordSchema);
  if (existing) return { created: false, study: await toStudy(deps, existing) };
  assertStillStaging(deps, plan);

  const mismatched = elementProblems(plan, request);
  if (mismatched.length > 0) {
    throw new ApiProblem(422, "elements_mismatch", "The study's elements do not match the batch's files", mismatched);
  }

  const elements = [...request.elements].sort((a, b) => a.index - b.index);
  const verdicts = await Promise.all(elements.map((e) => verifyStagedImage(deps, plan.files[e.index]!, e.md5)));
  const failed = verdicts.flatMap(({ problem }, i) => (problem ? [{ index: elements[i]!.index, problem }] : []));
  if (failed.length > 0) {
    const names = failed.map((f) => plan.files[f.index]!.name).join(", ");
    throw new ApiProblem(
      422,
      "verification_failed",
      `Not committed: ${failed.length} file(s) failed verification (${names})`,
      failed,
    );
  }

  const toSeal = elements.filter((_, i) => verdicts[i]!.needsSeal);
  await Promise.all(
    toSeal.map((e) => deps.storage.images.seal(plan.files[e.index]!.blobName, plan.files[e.index]!.type, e.md5)),
  );

  const record: StudyRecord = {
    version: 1,
    id: studyId,
    batchId: plan.batchId,
    owner,
    title: request.title.trim(),
    description: (request.description ?? "").trim(),
    createdAt: new Date().toISOString(),
    elements: elements.map((e) => {
      const file = plan.files[e.index]!;
      return {
        index: e.index,
        label: e.label.trim(),
        name: file.name,
        size: file.size,
        type: file.type,
        blobName: file.blobName,
        md5: e.md5,
      };
    }),
  };
  const created = await deps.storage.records.create("studies", recordName, record, {
    createdat: record.createdAt,
    title: encodeURIComponent(record.title),
    elementcount: String(record.elements.length),
  });
  if (created) return { created: true, study: await toStudy(deps, record) };
  // Another request committed the same batch between our read and write: theirs is the study.
  const winner = await deps.storage.records.read("studies", recordName, studyRecordSchema);
  if (!winner) throw new Error(`study record ${recordName} vanished after a conflicting create`);
  return { created: false, study: await toStudy(deps, winner) };
}

export async function getStudy(deps: BatchDeps, owner: string, studyId: string): Promise<Study> {
  const record = await deps.storage.records.read("studies", studyRecordName(owner, studyId), studyRecordSchema);
  if (!record) throw notFound("Study");
  return toStudy(deps, record);
}

export async function listStudies(deps: BatchDeps, owner: string, page: { limit: number }): Promise<StudyList> {
  const records = await deps.storage.records.list("studies", `${owner}/`);
  const studies = records
    .map(({ name, metadata }) => ({
      id: name.slice(owner.length + 1).replace(/\.json$/, ""),
      title: decodeURIComponent(metadata.title ?? ""),
      createdAt: metadata.createdat ?? new Date(0).toISOString(),
      elementCount: Number(metadata.elementcount ?? 0),
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  return { studies: studies.slice(0, page.limit), nextCursor: null };
}
