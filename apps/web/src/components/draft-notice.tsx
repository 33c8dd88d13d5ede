import { useDraft, useStudyDraft } from "../app-stores.js";
import { studyPath } from "../router/routes.js";
import { resumableCount, waitingForFilesCount } from "../store/draft-selectors.js";
import { Link } from "./link.js";

/** What became of the draft saved before this page opened (or that another tab holds it), with what to do next. */
export function DraftNoticeBanner() {
  const notice = useStudyDraft((s) => s.draftNotice);
  const access = useStudyDraft((s) => s.draftAccess);
  const waiting = useDraft(waitingForFilesCount);
  const resumable = useDraft(resumableCount);
  const actions = useStudyDraft((s) => s.actions);
  if (!notice) return null;
  return (
    <section className="draft-notice" aria-label="Saved draft">
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
          <button type="button" className="button button-secondary" onClick={() => void actions.resumeFromHandles()}>
            Resume {resumable === 1 ? "1 image" : `${resumable} images`} without picking again
          </button>
        )}
        {access !== "other-tab" && (
          <button type="button" className="button button-small button-quiet" onClick={actions.dismissNotice}>
            Dismiss
          </button>
        )}
      </div>
    </section>
  );
}
