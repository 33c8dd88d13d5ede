import { formatBytes, studyPagePath, type Study } from "@study-uploader/shared";

/** Exit codes: what a script calling the command can rely on. */
export const EXIT = { committed: 0, refused: 1, badArguments: 2, interrupted: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How the files of this run got to storage. */
export interface Transfer {
  /** Files whose bytes this run sent. */
  sentFiles: number;
  sentBytes: number;
  /** Images the API copied from the owner's earlier studies: nothing sent. */
  reusedFiles: number;
  /** Files that arrived in an earlier run of this command: not sent again. */
  resumedFiles: number;
}

export interface StudyResult {
  study: Study;
  /** The study was made by an earlier run (the journal or the batch says so): nothing was sent this time. */
  existing: boolean;
  /** Each committed image's MD5 (base64, as storage checks it), by file name. */
  md5Of: (name: string) => string | null;
  transfer: Transfer | null;
}

export interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  json: boolean;
}

export const studyUrl = (api: string, studyId: string) => new URL(studyPagePath(studyId), `${api}/`).href;

/**
 * The study, for a person (stdout: its URL, then how the bytes went) or, with `--json`, for a script: its id,
 * URL, title and elements with their MD5s, plus what was sent and the run's peak memory.
 */
export function reportStudy(out: Output, api: string, result: StudyResult, seconds: number): void {
  const { study, existing, transfer } = result;
  const url = studyUrl(api, study.id);
  if (out.json) {
    const elements = study.elements.map(({ index, name, label, size, type, width, height }) => ({
      index,
      name,
      label,
      size,
      type,
      width,
      height,
      md5: result.md5Of(name),
    }));
    const stats = { seconds: Math.round(seconds * 1000) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    const body = { studyId: study.id, url, title: study.title, existing, elements, transfer, stats };
    out.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  if (existing) {
    out.stdout.write(`This folder is already the study "${study.title}" (${study.elements.length} images): ${url}\n`);
    out.stderr.write("Nothing was sent. To make another study of it, delete its journal (see --journal).\n");
    return;
  }
  out.stdout.write(`Created the study "${study.title}" with ${study.elements.length} images: ${url}\n`);
  if (!transfer) return;
  const parts = [`sent ${transfer.sentFiles} files (${formatBytes(transfer.sentBytes)}) in ${seconds.toFixed(1)} s`];
  if (transfer.resumedFiles) parts.push(`${transfer.resumedFiles} arrived in an earlier run`);
  if (transfer.reusedFiles) parts.push(`${transfer.reusedFiles} already uploaded to an earlier study, not sent again`);
  out.stderr.write(`${parts.join("; ")}\n`);
}
