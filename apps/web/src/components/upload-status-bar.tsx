import { useDraft, useStudyDraft } from "../app-stores.js";
import { formatBytes, formatDuration } from "../format.js";
import { draftMessages } from "../store/draft-messages.js";
import { canRetry, draftPhase, pausableCount, pausedCount, uploadingCount } from "../store/draft-selectors.js";
import { uploadTotals } from "../store/draft-totals.js";
import { formProblems } from "../store/draft-validation.js";
import type { DraftPhase } from "../store/study-draft-state.js";
import { ProgressBar, percentOf } from "./progress-bar.js";

/** The button says what pressing it does now: uploads still going mean the study follows the last one. */
function createButtonText(phase: DraftPhase, uploading: number, paused: number): string {
  if (phase === "committing") return "Creating the study…";
  // Short enough for a phone's width: the researcher must resume before the study can be made.
  if (paused > 0) return "Create study (resume first)";
  if (phase === "waiting")
    return `Creating the study after ${uploading} more ${uploading === 1 ? "upload" : "uploads"}…`;
  return uploading > 0 ? "Create study when uploads finish" : "Create study";
}

function TotalLine() {
  const totals = useDraft(uploadTotals);
  const rate = useDraft((form, upload) => (uploadingCount(form, upload) > 0 ? upload.bytesPerSecond : null));
  if (totals.count === 0) return null;
  const percent = percentOf(totals.sent, totals.bytes);
  const speed =
    rate && rate > 0
      ? ` · ${formatBytes(rate)}/s · about ${formatDuration((totals.bytes - totals.sent) / rate)} left`
      : "";
  return (
    <div className="total-progress">
      <ProgressBar
        percent={percent}
        label="Total upload progress"
        valueText={`${percent}%, ${totals.done} of ${totals.count} files done`}
        tone={totals.failed > 0 ? "failed" : totals.done === totals.count ? "done" : "active"}
      />
      <p className="total-text">
        {formatBytes(totals.sent)} of {formatBytes(totals.bytes)} · {totals.done} of {totals.count} files done
        {speed}
      </p>
    </div>
  );
}

/** What the live region last said, also in plain sight beside the buttons it concerns. */
function StatusMessages({ failed }: { failed: number }) {
  const offline = useDraft((_form, upload) => upload.network === "offline");
  const announcement = useStudyDraft((s) => s.announcement);
  const formError = useStudyDraft((s) => s.formError);
  const removed = useStudyDraft((s) => s.removed);
  const undoRemove = useStudyDraft((s) => s.actions.undoRemove);
  return (
    <div className="status-messages">
      {offline && <p className="status-offline">{draftMessages.waitingForNetwork}</p>}
      {failed > 0 && (
        <p className="status-failed">
          {failed === 1 ? "1 image failed" : `${failed} images failed`}: Retry {failed === 1 ? "it" : "them"} or remove{" "}
          {failed === 1 ? "it" : "them"}.
        </p>
      )}
      {formError && <p className="form-error">{formError}</p>}
      {removed ? (
        <p className="status-undo">
          {removed.image.file.name} removed.{" "}
          <button type="button" className="button button-small button-secondary" onClick={undoRemove}>
            Undo
          </button>
        </p>
      ) : (
        announcement && announcement !== formError && <p className="status-message">{announcement}</p>
      )}
    </div>
  );
}

/**
 * Stays in view at the bottom of the window while the list scrolls: the total, what went wrong and what to do,
 * and the buttons that act on the whole study.
 */
export function UploadStatusBar() {
  const actions = useStudyDraft((s) => s.actions);
  const phase = useDraft((_form, upload) => draftPhase(upload));
  const problems = useDraft(formProblems);
  const retryable = useDraft(canRetry);
  const uploading = useDraft(uploadingCount);
  const paused = useDraft(pausedCount);
  const pausable = useDraft(pausableCount);
  const failed = useDraft((form, upload) => uploadTotals(form, upload).failed);
  const access = useStudyDraft((s) => s.draftAccess);
  const locked = phase !== "editing" || access !== "open";
  // With failures, retrying is what moves the study on: it leads.
  const retryLeads = retryable && failed > 0;

  return (
    <div className="status-bar" role="group" aria-label="Upload status">
      <TotalLine />
      <StatusMessages failed={failed} />
      {problems.length > 0 && !locked && (
        <ul id="form-problems" className="form-problems">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className={`button ${retryLeads ? "button-secondary" : "button-primary"}`}
          disabled={locked || problems.length > 0 || paused > 0}
          aria-describedby={problems.length > 0 ? "form-problems" : undefined}
        >
          {createButtonText(phase, uploading, paused)}
        </button>
        {!locked && paused > 0 && (
          <button type="button" className="button button-secondary" onClick={() => actions.resume()}>
            Resume all
          </button>
        )}
        {!locked && pausable > 0 && (
          <button type="button" className="button button-secondary" onClick={() => actions.pause()}>
            Pause all
          </button>
        )}
        {phase === "waiting" && (
          <button type="button" className="button button-secondary" onClick={actions.cancel}>
            Cancel
          </button>
        )}
        {retryable && (
          <button
            type="button"
            className={`button ${retryLeads ? "button-primary" : "button-secondary"}`}
            onClick={() => void actions.retryFailed()}
          >
            Retry failed
          </button>
        )}
      </div>
    </div>
  );
}
