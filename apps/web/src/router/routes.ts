export type Route =
  | { name: "new-study" }
  | { name: "studies" }
  | { name: "study"; studyId: string }
  /** A study link whose id cannot be read (a broken escape such as %E0): no study has it. */
  | { name: "study-not-found" }
  | { name: "not-found" };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "new-study" };
  if (path === "/studies") return { name: "studies" };
  const study = /^\/studies\/([^/]+)$/.exec(path);
  if (!study) return { name: "not-found" };
  try {
    return { name: "study", studyId: decodeURIComponent(study[1]!) };
  } catch {
    return { name: "study-not-found" };
  }
}

export { studyPagePath as studyPath } from "@study-uploader/shared";
