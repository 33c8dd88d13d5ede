import { useEffect } from "react";
import { openDraftHere } from "../app-stores.js";
import { Link } from "./link.js";
import { DeletedNotice, RecentStudies, StudiesList } from "./studies-list.js";
import { StudyForm } from "./study-form.js";

export { StudyPage } from "./study-page.js";

export function NewStudyPage() {
  useEffect(openDraftHere, []);
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
      <DeletedNotice />
      <StudiesList />
    </>
  );
}

/** Where a study link that names no study leads: back to the studies, or on to a new one. */
export function StudyNotFoundPage() {
  return (
    <>
      <h1 tabIndex={-1}>Study not found</h1>
      <p>This link does not name a study. It may have been cut short or changed on the way.</p>
      <p>
        <Link href="/studies">All studies</Link> · <Link href="/">New study</Link>
      </p>
    </>
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
