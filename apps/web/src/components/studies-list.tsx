import type { StudySummary } from "@study-uploader/shared";
import { useEffect, useRef, useState, type Ref } from "react";
import { useStudies } from "../app-stores.js";
import { formatDateTime } from "../format.js";
import { studyPath } from "../router/routes.js";
import { Link } from "./link.js";

/** The loaded studies, asking for the first page when there is none yet. */
function useStudySummaries(): StudySummary[] | null {
  const summaries = useStudies((s) => s.summaries);
  const loadList = useStudies((s) => s.actions.loadList);
  useEffect(() => {
    if (summaries === null) void loadList();
  }, [summaries, loadList]);
  return summaries;
}

/** Before the first page: loading, signed out, or why it failed with a way to ask again. */
function FirstPageState() {
  const listError = useStudies((s) => s.listError);
  const signedOut = useStudies((s) => s.signedOut);
  const loadList = useStudies((s) => s.actions.loadList);
  if (signedOut) return <p className="hint">You are signed out: sign in to see your studies.</p>;
  if (!listError) return <p className="hint">Loading studies…</p>;
  return (
    <div className="list-problem">
      <p className="form-error" role="alert">
        {listError}
      </p>
      <button type="button" className="button button-secondary" onClick={() => void loadList()}>
        Try again
      </button>
    </div>
  );
}

/**
 * A study whose delete stopped half-way (storage failed): no longer a link (it cannot be opened), says so, and
 * offers the delete again; the sweep would finish it too.
 */
function PendingDeletion({ study }: { study: StudySummary }) {
  const busy = useStudies((s) => s.deleting[study.id] === true);
  const error = useStudies((s) => s.deleteErrors[study.id]);
  const deleteStudy = useStudies((s) => s.actions.deleteStudy);
  const titleId = `pending-title-${study.id}`;
  const statusId = `pending-status-${study.id}`;
  return (
    <>
      <span className="study-title-pending" id={titleId}>
        {study.title}
      </span>
      <span className="study-meta" id={statusId}>
        Deletion pending: the last attempt did not finish
      </span>
      <span>
        {/* Busy, not disabled, so focus stays; the store asks once however often it is pressed. */}
        <button
          type="button"
          className="button button-secondary"
          aria-describedby={`${titleId} ${statusId}`}
          aria-disabled={busy || undefined}
          onClick={() => void deleteStudy(study.id)}
        >
          {busy ? "Deleting…" : "Delete again"}
        </button>
      </span>
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

function StudyItems({ studies, listRef }: { studies: StudySummary[]; listRef?: Ref<HTMLUListElement> }) {
  return (
    <ul className="study-list" ref={listRef}>
      {studies.map((study) => (
        <li key={study.id} className="study-item">
          {/* Decorative: the title beside it names the study. */}
          {study.thumbnailUrl === null ? (
            <span className="study-thumb study-thumb-none" />
          ) : (
            <img className="study-thumb" src={study.thumbnailUrl} alt="" loading="lazy" width={56} height={56} />
          )}
          <span className="study-item-text">
            {study.deletionPending ? (
              <PendingDeletion study={study} />
            ) : (
              <>
                <Link href={studyPath(study.id)}>{study.title}</Link>
                <span className="study-meta">
                  {study.elementCount} {study.elementCount === 1 ? "image" : "images"} ·{" "}
                  <time dateTime={study.createdAt}>{formatDateTime(study.createdAt)}</time>
                </span>
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * "Study “…” deleted" where the deletion leads. The region is there (empty) before the words come, so screen
 * readers announce them; they are taken from the store once, so a later visit does not repeat them.
 */
export function DeletedNotice() {
  const notice = useStudies((s) => s.notice);
  const clearNotice = useStudies((s) => s.actions.clearNotice);
  const [shown, setShown] = useState("");
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => {
      setShown(notice);
      clearNotice();
    }, 0);
    return () => clearTimeout(timer);
  }, [notice, clearNotice]);
  return (
    <p className={shown ? "deleted-notice" : "visually-hidden"} role="status">
      {shown}
    </p>
  );
}

/** The newest few of the first page, and a link to the rest. */
export function RecentStudies({ count }: { count: number }) {
  const summaries = useStudySummaries();
  const hasMorePages = useStudies((s) => s.nextCursor !== null);
  if (summaries === null) return <FirstPageState />;
  if (summaries.length === 0) return <p className="empty-note">No studies yet.</p>;
  return (
    <>
      <StudyItems studies={summaries.slice(0, count)} />
      {(summaries.length > count || hasMorePages) && (
        <p>
          <Link href="/studies">All studies</Link>
        </p>
      )}
    </>
  );
}

/** Every study, newest first as the API lists them, a page at a time. */
export function StudiesList() {
  const summaries = useStudySummaries();
  const nextCursor = useStudies((s) => s.nextCursor);
  const loadingMore = useStudies((s) => s.listLoading === "more");
  const listError = useStudies((s) => s.listError);
  const loadMore = useStudies((s) => s.actions.loadMore);
  const listRef = useRef<HTMLUListElement>(null);
  /** Where the page asked for with the button starts, until it has come (or failed). */
  const requestedFrom = useRef<number | null>(null);

  // The last page takes the button away, and focus with it: hand focus to the first study that page brought.
  useEffect(() => {
    const index = requestedFrom.current;
    if (index === null || loadingMore) return;
    requestedFrom.current = null;
    if (nextCursor !== null) return;
    const links = listRef.current?.querySelectorAll("a");
    if (links?.length) links[Math.min(index, links.length - 1)]?.focus();
  }, [summaries, nextCursor, loadingMore]);

  if (summaries === null) return <FirstPageState />;
  if (summaries.length === 0) return <p className="empty-note">No studies yet.</p>;
  const requestMore = () => {
    requestedFrom.current ??= summaries.length;
    void loadMore();
  };
  return (
    <>
      <StudyItems studies={summaries} listRef={listRef} />
      {listError && (
        <p className="form-error" role="alert">
          {listError}
        </p>
      )}
      {nextCursor !== null && (
        <div className="load-more">
          {/* Not disabled while busy: a disabled button would drop keyboard focus; the store asks only once. */}
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={loadingMore || undefined}
            onClick={requestMore}
          >
            Load more studies
          </button>
          <span className="hint" role="status">
            {loadingMore ? "Loading more studies…" : ""}
          </span>
        </div>
      )}
    </>
  );
}
