import { useEffect } from "react";
import { useStudies } from "../app-stores.js";
import { formatBytes, formatPixelSize } from "../format.js";
import { Link } from "./link.js";
import { RecentStudies, StudiesList } from "./studies-list.js";
import { StudyForm } from "./study-form.js";

export function NewStudyPage() {
  return (
    <>
      <h1 tabIndex={-1}>New study</h1>
      <StudyForm />
      <section className="recent" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent studies</h2>
        <RecentStudies count={5} />
      </section>
    </>
  );
}

export function StudiesPage() {
  return (
    <>
      <h1 tabIndex={-1}>Studies</h1>
      <StudiesList />
    </>
  );
}

export function StudyPage({ studyId }: { studyId: string }) {
  const study = useStudies((s) => s.studies[studyId]);
  const error = useStudies((s) => s.studyErrors[studyId]);
  const loadStudy = useStudies((s) => s.actions.loadStudy);
  const known = study !== undefined;

  useEffect(() => {
    if (!known) void loadStudy(studyId);
  }, [known, studyId, loadStudy]);

  if (!study) {
    return error ? (
      <>
        <h1 tabIndex={-1}>Study not available</h1>
        <p className="form-error">{error}</p>
        <p>
          <Link href="/studies">Back to all studies</Link>
        </p>
      </>
    ) : (
      <p className="hint">Loading study…</p>
    );
  }
  return (
    <article>
      <h1 tabIndex={-1}>{study.title}</h1>
      <p className="study-meta">
        {study.elements.length} images · created{" "}
        <time dateTime={study.createdAt}>{new Date(study.createdAt).toLocaleString()}</time>
      </p>
      {study.description && <p className="study-description">{study.description}</p>}
      <ul className="gallery">
        {study.elements.map((element) => {
          const pixelSize = formatPixelSize(element.width, element.height);
          return (
            <li key={element.index}>
              <figure>
                <img src={element.url} alt={element.label} />
                <figcaption>
                  {element.label}
                  <span className="element-meta">
                    {formatBytes(element.size)}
                    {pixelSize && ` · ${pixelSize}`}
                  </span>
                </figcaption>
              </figure>
            </li>
          );
        })}
      </ul>
    </article>
  );
}

export function NotFoundPage() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link href="/">Create a new study</Link> or see <Link href="/studies">all studies</Link>.
      </p>
    </>
  );
}
