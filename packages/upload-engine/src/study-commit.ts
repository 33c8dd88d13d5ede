import { ApiRequestError, type ApiClient, type CommitStudyRequest, type Study } from "@study-uploader/shared";
import type { ChangeSignal } from "./change-signal.js";
import type { CommitOutcome, CommitRequest, StudyDetails } from "./study-session-types.js";
import type { TrackedFile } from "./tracked-file.js";
import { errorText } from "./upload-file.js";

/** The API's Retry-After for a busy batch; three tries outlast a commit that is running (it waits up to 10 s itself). */
const COMMIT_BUSY_DELAY_MS = 2_000;
const COMMIT_ATTEMPTS = 3;

/** What the commit of a study session needs of the session. */
export interface CommitContext {
  api: Pick<ApiClient, "commitStudy">;
  files: ReadonlyMap<string, TrackedFile>;
  changes: ChangeSignal;
  /** Resolves once the additions and removals already asked for have reached the API. */
  announced(): Promise<void>;
  batchId(): string | null;
  onStarted?(): void;
  onCommitted(): void;
  /** The commit's verification refused this file, and the server deleted its blob. */
  onRefused(file: TrackedFile, problem: string): void;
}

/**
 * Commits once; a 409 `commit_in_progress` (another commit of the batch, or an edit racing it) and a 503
 * `server_busy` (the instance verifies as many commits as it may) are asked again.
 */
async function sendCommit(api: CommitContext["api"], request: CommitStudyRequest): Promise<Study> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.commitStudy(request);
    } catch (error) {
      const busy =
        error instanceof ApiRequestError && (error.code === "commit_in_progress" || error.code === "server_busy");
      if (!busy || attempt >= COMMIT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, COMMIT_BUSY_DELAY_MS));
    }
  }
}

/** Whether the study's files can be committed now, must be waited for, or stop the commit (and why). */
export function commitReadiness(
  order: readonly string[],
  files: ReadonlyMap<string, TrackedFile>,
): { kind: "ready"; files: TrackedFile[] } | { kind: "wait" } | CommitOutcome {
  const tracked = order.map((id) => files.get(id));
  if (tracked.length === 0 || tracked.some((t) => !t)) {
    return { kind: "error", stage: "start", message: "the study's images are not all part of this upload" };
  }
  const live = tracked as TrackedFile[];
  const waitingForFiles = live.filter((t) => t.body === null && t.status !== "done").length;
  if (waitingForFiles > 0) {
    return { kind: "error", stage: "start", message: `${waitingForFiles} of the images must be added again` };
  }
  const failedIds = live.filter((t) => t.status === "failed").map((t) => t.id);
  if (failedIds.length > 0) return { kind: "files-failed", failedIds };
  return live.every((t) => t.status === "done" && t.md5Value !== null)
    ? { kind: "ready", files: live }
    : { kind: "wait" };
}

/**
 * The commit of a study session: it waits for the study's files to arrive, then commits them in one request.
 * One commit waits at a time; `cancel` stops the wait (the uploads go on).
 */
export function createStudyCommitter(context: CommitContext) {
  let waitingCommit: AbortController | null = null;

  const commitNow = async (tracked: readonly TrackedFile[], details: StudyDetails): Promise<CommitOutcome> => {
    context.onStarted?.();
    // Additions and removals still on their way must reach the API first: the commit names the batch as it is.
    await context.announced();
    const byIndex = new Map(tracked.map((t) => [t.index!, t]));
    try {
      const study = await sendCommit(context.api, {
        batchId: context.batchId()!,
        title: details.title.trim(),
        description: details.description?.trim() || undefined,
        elements: tracked.map((t) => ({ index: t.index!, label: details.labelOf(t.id).trim(), md5: t.md5Value! })),
      });
      context.onCommitted();
      return { kind: "committed", study };
    } catch (error) {
      const refused = error instanceof ApiRequestError ? error.files : [];
      const problems = refused.flatMap(({ index, problem }) => {
        const refusedFile = byIndex.get(index);
        return refusedFile ? [{ refusedFile, problem }] : [];
      });
      if (problems.length === 0) return { kind: "error", stage: "commit", message: errorText(error) };
      // The server deleted what it refused: those files must be sent again, with a fresh link.
      for (const { refusedFile, problem } of problems) context.onRefused(refusedFile, problem);
      return {
        kind: "refused",
        message: errorText(error),
        problems: problems.map(({ refusedFile, problem }) => ({ id: refusedFile.id, problem })),
      };
    }
  };

  return {
    /**
     * Commits the study once every one of its images has arrived: at once when they all have, else after the
     * last upload. One API request either way. Nothing is committed while an image failed.
     */
    commit: async (request: CommitRequest): Promise<CommitOutcome> => {
      waitingCommit?.abort();
      const waiting = new AbortController();
      waitingCommit = waiting;
      try {
        for (;;) {
          if (waiting.signal.aborted) return { kind: "cancelled" };
          const readiness = commitReadiness(request.order, context.files);
          if (readiness.kind === "ready") {
            waitingCommit = null;
            return await commitNow(readiness.files, request.details());
          }
          if (readiness.kind !== "wait") return readiness;
          await context.changes.next(waiting.signal);
        }
      } finally {
        if (waitingCommit === waiting) waitingCommit = null;
      }
    },

    /** Stops waiting for the uploads before a commit; they go on. False when no commit was waiting. */
    cancel: (): boolean => {
      if (!waitingCommit) return false;
      waitingCommit.abort();
      waitingCommit = null;
      return true;
    },
  };
}
