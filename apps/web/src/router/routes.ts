export type Route =
  { name: "new-study" } | { name: "studies" } | { name: "study"; studyId: string } | { name: "not-found" };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "new-study" };
  if (path === "/studies") return { name: "studies" };
  const study = /^\/studies\/([^/]+)$/.exec(path);
  if (study) return { name: "study", studyId: decodeURIComponent(study[1]!) };
  return { name: "not-found" };
}

export const studyPath = (studyId: string) => `/studies/${encodeURIComponent(studyId)}`;
