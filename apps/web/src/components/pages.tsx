import { Link } from "./link.js";
import { DeletedNotice, RecentStudies, StudiesList } from "./studies-list.js";
import { StudyForm } from "./study-form.js";

export { StudyPage } from "./study-page.js";

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
      <DeletedNotice />
      <StudiesList />
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
