import { draftOwnership, useDraft, useStudyDraft } from "../app-stores.js";
import { studyPath } from "../router/routes.js";
import { isEmptyForm } from "../store/draft-autosave.js";
import { draftMessages } from "../store/draft-messages.js";
import { resumableCount, waitingForFilesCount } from "../store/draft-selectors.js";
import type { DraftElsewhere } from "../store/draft-shelf.js";
import { Link } from "./link.js";

const none: DraftElsewhere[] = [];

/** A draft another tab holds, with Continue here to take it over. */
function DraftElsewhereItem({ draft }: { draft: DraftElsewhere }) {
  const id = `draft-elsewhere-${draft.key}`;
  return (
    <div className="draft-notice-item">
      <p id={id}>
        {draft.movedFromHere
          ? draftMessages.continuesElsewhere(draft.title)
          : draftMessages.openElsewhere(draft.title, draft.images)}
      </p>
      <button
        type="button"
        className="button button-secondary"
        aria-describedby={id}
        onClick={() => void draftOwnership.continueHere(draft.key)}
      >
        Continue here
      </button>
    </div>
  );
}

/**
 * What became of the draft saved before this page opened, with what to do next; and, while this form is empty,
 * the drafts other tabs hold (never offered over what was typed or picked here).
 */
export function DraftNoticeBanner() {
  const notice = useStudyDraft((s) => s.draftNotice);
  const elsewhere = useStudyDraft((s) => (isEmptyForm(s) ? s.draftsElsewhere : none));
  const waiting = useDraft(waitingForFilesCount);
  const resumable = useDraft(resumableCount);
  const actions = useStudyDraft((s) => s.actions);
  if (!notice && elsewhere.length === 0) return null;
  return (
    <section className="draft-notice" aria-label="Saved draft">
      {notice && (
        <>
          <p>
            {notice.message}
            {notice.studyId && (
              <>
                {" "}
                <Link href={studyPath(notice.studyId)}>Open the study</Link>
              </>
            )}
          </p>
          <div className="draft-notice-actions">
            {resumable > 0 && waiting > 0 && (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void actions.resumeFromHandles()}
              >
                Resume {resumable === 1 ? "1 image" : `${resumable} images`} without picking again
              </button>
            )}
            <button type="button" className="button button-small button-quiet" onClick={actions.dismissNotice}>
              Dismiss
            </button>
          </div>
        </>
      )}
      {elsewhere.map((draft) => (
        <DraftElsewhereItem key={draft.key} draft={draft} />
      ))}
    </section>
  );
}
