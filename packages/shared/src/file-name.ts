import { MAX_FILE_NAME_LENGTH } from "./limits.js";
import { unsafeTextProblem } from "./text-safety.js";

/** Why a client-supplied file name is unacceptable, or null when it is fine to display and store as metadata. */
export function fileNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "name is empty";
  if (name.length > MAX_FILE_NAME_LENGTH) return `name is longer than ${MAX_FILE_NAME_LENGTH} characters`;
  if (/[\\/]/.test(name)) return "name contains a path separator";
  if (name === "." || name === "..") return "name is not a file name";
  return unsafeTextProblem(name, "name", { visibleOnly: true });
}

/** The default label for an image: its file name without the extension. */
export function labelFromFileName(name: string): string {
  const dot = name.lastIndexOf(".");
  const base = dot > 0 ? name.slice(0, dot) : name;
  return base.trim() || name;
}
