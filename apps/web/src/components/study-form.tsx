import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from "@study-uploader/shared";
import { useDraft, useStudyDraft } from "../app-stores.js";
import { formatBytes, imageTypeNames } from "../format.js";
import { canRetry, draftPhase, uploadingCount } from "../store/draft-selectors.js";
import { formProblems } from "../store/draft-validation.js";
import type { DraftPhase } from "../store/study-draft-state.js";
import { DiscardDraft } from "./discard-draft.js";
import { DraftNoticeBanner } from "./draft-notice.js";
import { ImageDropZone } from "./image-drop-zone.js";
import { ImageList } from "./image-list.js";
import { TotalProgress } from "./total-progress.js";

function LimitsHint() {
  const config = useStudyDraft((s) => s.config);
  const configError = useStudyDraft((s) => s.configError);
  if (configError) return <p className="form-error">{configError}</p>;
  if (!config) return <p className="hint">Loading upload limits…</p>;
  return (
    <p className="hint">
      {imageTypeNames(config.allowedTypes)} · up to {formatBytes(config.maxFileBytes)} each · at most {config.maxFiles}{" "}
      images
    </p>
  );
}

/** The button says what pressing it does now: uploads still going mean the study follows the last one. */
function createButtonText(phase: DraftPhase, uploading: number): string {
  if (phase === "committing") return "Creating the study…";
  if (phase === "waiting")
    return `Creating the study after ${uploading} more ${uploading === 1 ? "upload" : "uploads"}…`;
  return uploading > 0 ? "Create study when uploads finish" : "Create study";
}

export function StudyForm() {
  const actions = useStudyDraft((s) => s.actions);
  const title = useStudyDraft((s) => s.title);
  const description = useStudyDraft((s) => s.description);
  const phase = useDraft((_form, upload) => draftPhase(upload));
  const formError = useStudyDraft((s) => s.formError);
  const problems = useDraft(formProblems);
  const retryable = useDraft(canRetry);
  const uploading = useDraft(uploadingCount);
  const access = useStudyDraft((s) => s.draftAccess);
  const locked = phase !== "editing" || access !== "open";
  // Typing goes on while the draft is read back: what is typed stays.
  const textLocked = phase !== "editing";

  return (
    <>
      <DraftNoticeBanner />
      <form
        className="study-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void actions.createStudy();
        }}
      >
        <div className="field">
          <label htmlFor="study-title">
            Title <span className="required">(required)</span>
          </label>
          <input
            id="study-title"
            type="text"
            required
            maxLength={MAX_TITLE_LENGTH}
            value={title}
            readOnly={textLocked}
            onChange={(event) => actions.setTitle(event.currentTarget.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="study-description">Description</label>
          <textarea
            id="study-description"
            rows={3}
            maxLength={MAX_DESCRIPTION_LENGTH}
            value={description}
            readOnly={textLocked}
            onChange={(event) => actions.setDescription(event.currentTarget.value)}
          />
        </div>
        <fieldset className="images-field">
          <legend>Images</legend>
          <LimitsHint />
          <ImageDropZone />
          <ImageList />
          <TotalProgress />
        </fieldset>

        {formError && <p className="form-error">{formError}</p>}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={locked || problems.length > 0}
            aria-describedby={problems.length > 0 ? "form-problems" : undefined}
          >
            {createButtonText(phase, uploading)}
          </button>
          {phase === "waiting" && (
            <button type="button" className="button button-secondary" onClick={actions.cancel}>
              Cancel
            </button>
          )}
          {retryable && (
            <button type="button" className="button button-secondary" onClick={() => void actions.retryFailed()}>
              Retry failed
            </button>
          )}
          <DiscardDraft />
        </div>
        {problems.length > 0 && !locked && (
          <ul id="form-problems" className="form-problems">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
      </form>
    </>
  );
}
