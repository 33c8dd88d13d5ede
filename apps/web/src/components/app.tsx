import { useEffect, useRef } from "react";
import { useStudyDraft } from "../app-stores.js";
import { matchRoute } from "../router/routes.js";
import { usePathname } from "../router/router.js";
import { Link } from "./link.js";
import { NewStudyPage, NotFoundPage, StudiesPage, StudyNotFoundPage, StudyPage } from "./pages.js";

function Page({ pathname }: { pathname: string }) {
  const route = matchRoute(pathname);
  switch (route.name) {
    case "new-study":
      return <NewStudyPage />;
    case "studies":
      return <StudiesPage />;
    case "study":
      return <StudyPage key={route.studyId} studyId={route.studyId} />;
    case "study-not-found":
      return <StudyNotFoundPage />;
    case "not-found":
      return <NotFoundPage />;
  }
}

/** Lives outside the pages so "Study created" is still announced after the form is gone. */
function StatusAnnouncer() {
  const announcement = useStudyDraft((s) => s.announcement);
  return (
    <div className="visually-hidden" role="status" aria-live="polite">
      {announcement}
    </div>
  );
}

export function App() {
  const pathname = usePathname();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After an in-app navigation, move focus to the new page's heading as a full page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="wrap header-inner">
          <Link href="/" className="brand">
            Study Uploader
          </Link>
          <nav aria-label="Main">
            <ul>
              <li>
                <Link href="/">New study</Link>
              </li>
              <li>
                <Link href="/studies">Studies</Link>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" className="wrap" ref={main}>
        <Page pathname={pathname} />
      </main>
      <StatusAnnouncer />
    </>
  );
}
