import { parseArgs } from "node:util";
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, unsafeTextProblem } from "@study-uploader/shared";

export const USAGE = `Usage: study-upload <folder> --title "…" [options]

Every image in <folder> (PNG, JPEG, GIF, WebP) becomes one study, in natural file-name order.

Options:
  --title <text>            the study's title (required)
  --description <text>      the study's description
  --labels <file.csv>       labels and order from a CSV of "file,label" rows (default: labels from file names)
  --api <url>               the Study Uploader API (default: $STUDY_UPLOADER_API or http://127.0.0.1:8787)
  --concurrency <n>         uploads at once (default: follows the link, up to the API's limit)
  --token-command <cmd>     a command printing a bearer token; run again when the token is near expiry
                            (or set STUDY_UPLOADER_TOKEN)
  --journal <file>          where the resumable journal is kept (default: see README, "Command line")
  --dry-run                 check everything, send nothing
  --json                    print the result as JSON on stdout
  --help                    this text

Exit codes: 0 committed · 1 refused (each file's reason is printed) · 2 bad arguments · 3 interrupted (run the
same command again to continue)`;

export const DEFAULT_API_URL = "http://127.0.0.1:8787";

export interface CliOptions {
  folder: string;
  title: string;
  description: string;
  labels: string | null;
  api: string;
  concurrency: number | null;
  tokenCommand: string | null;
  journal: string | null;
  dryRun: boolean;
  json: boolean;
}

export type ParsedArgs = { kind: "help" } | { kind: "run"; options: CliOptions } | { kind: "bad"; message: string };

/** The command line, checked: every mistake is one clear sentence (exit 2), before anything is read or sent. */
export function parseCliArgs(argv: readonly string[], env: Record<string, string | undefined>): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        title: { type: "string" },
        description: { type: "string" },
        labels: { type: "string" },
        api: { type: "string" },
        concurrency: { type: "string" },
        "token-command": { type: "string" },
        journal: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return { kind: "bad", message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) return { kind: "bad", message: "Name the folder of images to upload." };
  if (positionals.length > 1)
    return { kind: "bad", message: `One folder at a time (got ${positionals.length}: ${positionals.join(", ")}).` };
  const title = values.title?.trim() ?? "";
  if (!title) return { kind: "bad", message: 'A study needs a title: --title "…".' };
  const titleProblem = textProblem(title, "title", MAX_TITLE_LENGTH);
  if (titleProblem) return { kind: "bad", message: titleProblem };
  const description = values.description?.trim() ?? "";
  const descriptionProblem = textProblem(description, "description", MAX_DESCRIPTION_LENGTH, true);
  if (descriptionProblem) return { kind: "bad", message: descriptionProblem };

  let concurrency: number | null = null;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      return {
        kind: "bad",
        message: `--concurrency must be a whole number from 1 to 64 (got "${values.concurrency}").`,
      };
  }
  const api = values.api ?? (env.STUDY_UPLOADER_API?.trim() || DEFAULT_API_URL);
  if (!isHttpUrl(api)) return { kind: "bad", message: `--api must be an http(s) URL (got "${api}").` };
  const tokenCommand = values["token-command"]?.trim() || null;
  if (values["token-command"] !== undefined && !tokenCommand)
    return { kind: "bad", message: "--token-command is empty." };

  return {
    kind: "run",
    options: {
      folder: positionals[0]!,
      title,
      description,
      labels: values.labels ?? null,
      api: api.replace(/\/+$/, ""),
      concurrency,
      tokenCommand,
      journal: values.journal ?? null,
      dryRun: values["dry-run"] ?? false,
      json: values.json ?? false,
    },
  };
}

function textProblem(text: string, field: string, max: number, multiline = false): string | null {
  if (text.length > max) return `The ${field} is longer than ${max} characters.`;
  const unsafe = unsafeTextProblem(text, field, { multiline });
  return unsafe && `The ${unsafe}.`;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
