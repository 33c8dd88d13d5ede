import type { CommitOutcome, FileEntry, FileKind } from "./upload-state.js";

export type CommitReadiness =
  | { kind: "ready"; elements: { id: string; index: number; md5: string }[] }
  | { kind: "wait" }
  | Extract<CommitOutcome, { kind: "files-failed" | "error" }>;

/** Whether the study's files can be committed now, must be waited for, or stop the commit (and why). */
export function commitReadiness(order: readonly string[], files: Iterable<FileEntry>): CommitReadiness {
  const byId = new Map([...files].map((entry) => [entry.id, entry.state]));
  const states = order.map((id) => byId.get(id));
  if (states.length === 0 || states.some((s) => !s)) {
    return { kind: "error", stage: "start", message: "the study's images are not all part of this upload" };
  }
  const count = (kind: FileKind) => states.filter((s) => s!.kind === kind).length;
  const waitingForFiles = count("waiting-for-bytes");
  if (waitingForFiles > 0) {
    return { kind: "error", stage: "start", message: `${waitingForFiles} of the images must be added again` };
  }
  const rejected = count("rejected");
  if (rejected > 0) {
    return { kind: "error", stage: "start", message: `${rejected} of the files are not the images their type says` };
  }
  const failedIds = order.filter((id) => byId.get(id)!.kind === "failed");
  if (failedIds.length > 0) return { kind: "files-failed", failedIds };
  const elements = order.flatMap((id) => {
    const state = byId.get(id)!;
    return state.kind === "uploaded" ? [{ id, index: state.index, md5: state.md5 }] : [];
  });
  return elements.length === order.length ? { kind: "ready", elements } : { kind: "wait" };
}
