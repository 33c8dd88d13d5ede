import { useEffect } from "react";
import { useStudies } from "../app-stores.js";
import { studyPath } from "../router/routes.js";
import { Link } from "./link.js";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Studies newest first, as the API lists them; `limit` shows only the most recent few. */
export function StudiesList({ limit }: { limit?: number }) {
  const summaries = useStudies((s) => s.summaries);
  const listError = useStudies((s) => s.listError);
  const loadList = useStudies((s) => s.actions.loadList);

  useEffect(() => {
    if (summaries === null) void loadList();
  }, [summaries, loadList]);

  if (listError) return <p className="form-error">{listError}</p>;
  if (summaries === null) return <p className="hint">Loading studies…</p>;
  if (summaries.length === 0) return <p className="empty-note">No studies yet.</p>;
  const shown = limit === undefined ? summaries : summaries.slice(0, limit);
  return (
    <>
      <ul className="study-list">
        {shown.map((study) => (
          <li key={study.id}>
            <Link href={studyPath(study.id)}>{study.title}</Link>
            <span className="study-meta">
              {study.elementCount} {study.elementCount === 1 ? "image" : "images"} ·{" "}
              <time dateTime={study.createdAt}>{dateFormat.format(new Date(study.createdAt))}</time>
            </span>
          </li>
        ))}
      </ul>
      {shown.length < summaries.length && (
        <p>
          <Link href="/studies">All {summaries.length} studies</Link>
        </p>
      )}
    </>
  );
}
