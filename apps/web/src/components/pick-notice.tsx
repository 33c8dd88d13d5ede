import { useDraft, useStudyDraft } from "../app-stores.js";
import { pickNoticeLines } from "../store/draft-picking.js";
import { draftPhase } from "../store/draft-selectors.js";
import { isRefused } from "../store/draft-validation.js";

/**
 * Above the list, where the researcher looks after a pick: files left out (already in the list, beyond the
 * limits) and rows that will not be sent, with a way to remove those at once.
 */
export function PickNotice() {
  const notice = useStudyDraft((s) => s.pickNotice);
  const refused = useDraft(
    (form, upload) => form.imageIds.filter((id) => isRefused(form.config, form.images[id]!, upload)).length,
  );
  const editable = useDraft((form, upload) => draftPhase(upload) === "editing" && form.draftAccess === "open");
  const actions = useStudyDraft((s) => s.actions);
  if (!notice && refused === 0) return null;
  return (
    <div className="pick-notice" role="group" aria-label="Files not added">
      {notice &&
        pickNoticeLines(notice).map((line) => (
          <p key={line} className="pick-notice-line">
            {line}
          </p>
        ))}
      {refused > 0 && (
        <p className="pick-notice-line">
          {refused === 1 ? "1 image will not be sent" : `${refused} images will not be sent`}: the list says why.
        </p>
      )}
      <div className="pick-notice-actions">
        {refused > 0 && editable && (
          <button type="button" className="button button-small button-secondary" onClick={actions.removeRejected}>
            Remove all rejected
          </button>
        )}
        {notice && (
          <button type="button" className="button button-small button-quiet" onClick={actions.dismissPickNotice}>
            Dismiss
          </button>
        )}
      </div>
    </div>
  );
}
