import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { md5Base64Schema } from "@study-uploader/shared";
import { z } from "zod";
import { ioReason } from "./io-error.js";

/**
 * What a run keeps so the next run with the same folder and API continues instead of starting over: the batch,
 * each file's place in it with its size, modification time and MD5, whether it arrived (and, sent in blocks,
 * which blocks storage holds), and the study once committed.
 */
const journalSchema = z.object({
  version: z.literal(1),
  folder: z.string(),
  api: z.string(),
  batchId: z.string().nullable(),
  studyId: z.string().nullable(),
  files: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      size: z.number().int().positive(),
      mtimeMs: z.number(),
      index: z.number().int().nonnegative(),
      md5: md5Base64Schema.nullable(),
      uploaded: z.boolean(),
      blocks: z
        .object({
          blockBytes: z.number().int().positive(),
          md5s: z.array(md5Base64Schema),
          done: z.array(z.number().int().nonnegative()),
        })
        .optional(),
    }),
  ),
});
export type Journal = z.infer<typeof journalSchema>;
export type JournalFile = Journal["files"][number];

/** A journal that cannot be used: the run stops with exit 2 rather than guess (and maybe send files twice). */
export class JournalError extends Error {
  override readonly name = "JournalError";
}

/**
 * Where a folder's journal lives by default: `$STUDY_UPLOAD_STATE_DIR`, else `$XDG_STATE_HOME/study-upload`
 * (`~/.local/state/study-upload`; `%LOCALAPPDATA%\study-upload` on Windows), one file per folder and API, so the
 * folder itself is never written to (it may be read-only, or shared).
 */
export function defaultJournalPath(folder: string, api: string, env: Record<string, string | undefined>): string {
  const home = os.homedir();
  const stateDir =
    env.STUDY_UPLOAD_STATE_DIR ??
    (process.platform === "win32"
      ? path.join(env.LOCALAPPDATA ?? path.join(home, "AppData", "Local"), "study-upload")
      : path.join(env.XDG_STATE_HOME ?? path.join(home, ".local", "state"), "study-upload"));
  const key = createHash("sha256")
    .update(`${path.resolve(folder)}\n${api}`)
    .digest("hex")
    .slice(0, 16);
  const base =
    path
      .basename(path.resolve(folder))
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .slice(0, 60) || "folder";
  return path.join(stateDir, `${base}-${key}.json`);
}

/** The journal at `file`, or null when there is none yet; it must be this folder's and this API's. */
export function readJournal(file: string, folder: string, api: string): Journal | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new JournalError(`Cannot read the journal ${file} (${ioReason(error)}).`);
  }
  let parsed;
  try {
    parsed = journalSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success)
    throw new JournalError(`${file} is not a journal of this program; delete it to start over (nothing is lost).`);
  const journal = parsed.data;
  if (journal.folder !== path.resolve(folder) || journal.api !== api)
    throw new JournalError(
      `${file} is the journal of ${journal.folder} on ${journal.api}, not of this folder and API.`,
    );
  return journal;
}

/**
 * Replaces the journal in one step (written beside it, then renamed), synchronously: a run killed at any moment
 * leaves the previous journal or this one, never half of one, and no upload finishes before its batch is written.
 */
export function writeJournal(file: string, journal: Journal): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(journal));
  renameSync(temporary, file);
}
