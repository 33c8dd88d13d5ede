import { ApiRequestError, sleep, type CommitStudyRequest } from "@study-uploader/shared";
import type { StudyDetails, StudySessionDeps } from "./study-session-types.js";
import type { Effect } from "./upload-state.js";

/** The API's Retry-After for a busy batch; three tries outlast a commit that is running (it waits up to 10 s itself). */
const COMMIT_BUSY_DELAY_MS = 2_000;
const COMMIT_ATTEMPTS = 3;

/**
 * Commits once; a 409 `commit_in_progress` (another commit of the batch, or an edit racing it) and a 503
 * `server_busy` (the instance verifies as many commits as it may) are asked again after a wait `signal` ends.
 */
export async function sendCommit(
  api: StudySessionDeps["api"],
  request: CommitStudyRequest,
  signal: AbortSignal,
): ReturnType<StudySessionDeps["api"]["commitStudy"]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.commitStudy(request);
    } catch (error) {
      const busy =
        error instanceof ApiRequestError && (error.code === "commit_in_progress" || error.code === "server_busy");
      if (!busy || attempt >= COMMIT_ATTEMPTS) throw error;
      await sleep(COMMIT_BUSY_DELAY_MS, signal);
    }
  }
}

/** The commit's request: the study's text (trimmed) and its images in order, each with its label and MD5. */
export const commitRequestOf = (
  effect: Extract<Effect, { kind: "commit" }>,
  details: StudyDetails,
): CommitStudyRequest => ({
  batchId: effect.batchId,
  title: details.title.trim(),
  description: details.description?.trim() || undefined,
  elements: effect.elements.map((e) => ({ index: e.index, label: details.labelOf(e.id).trim(), md5: e.md5 })),
});
