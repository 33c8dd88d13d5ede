import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from "@study-uploader/shared";
import { useDraft, useStudyDraft } from "../app-stores.js";
import { formatBytes, imageTypeNames } from "../format.js";
import { draftPhase } from "../store/draft-selectors.js";
import { DiscardDraft } from "./discard-draft.js";
import { DraftNoticeBanner } from "./draft-notice.js";
import { ImageDropZone } from "./image-drop-zone.js";
import { ImageList } from "./image-list.js";
import { PickNotice } from "./pick-notice.js";
import { UploadStatusBar } from "./upload-status-bar.js";

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

export function StudyForm() {
  const actions = useStudyDraft((s) => s.actions);
  const title = useStudyDraft((s) => s.title);
  const description = useStudyDraft((s) => s.description);
  const phase = useDraft((_form, upload) => draftPhase(upload));
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
          <PickNotice />
          <ImageList />
        </fieldset>
        <div className="draft-actions">
          <DiscardDraft />
        </div>
        <UploadStatusBar />
      </form>
    </>
  );
}
