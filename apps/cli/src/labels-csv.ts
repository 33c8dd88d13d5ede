import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { labelFromFileName, MAX_LABEL_LENGTH, unsafeTextProblem } from "@study-uploader/shared";
import { ioReason } from "./io-error.js";

/** A labels file that cannot be used: the run stops with exit 2 and this message. */
export class LabelsError extends Error {
  override readonly name = "LabelsError";
}

export interface LabelRow {
  /** The line of the CSV it starts on (1-based), for messages. */
  line: number;
  file: string;
  label: string;
}

/** The study's images in order, each with its label. */
export interface LabelledOrder {
  order: string[];
  labelOf: (name: string) => string;
}

/** Reads `file,label` rows (a `file,label` header line is allowed; quoting as in RFC 4180; UTF-8, BOM or not). */
export async function readLabelsCsv(csvPath: string): Promise<LabelRow[]> {
  let text: string;
  try {
    text = (await readFile(csvPath, "utf8")).replace(/^\uFEFF/, "");
  } catch (error) {
    throw new LabelsError(`Cannot read the labels file ${csvPath} (${ioReason(error)})`);
  }
  let records: { record: string[]; raw: string }[];
  try {
    const options = {
      skip_empty_lines: true,
      trim: true,
      info: true,
      raw: true,
      relax_column_count: true,
    } as const;
    records = parse(text, options) as unknown as typeof records;
  } catch (error) {
    throw new LabelsError(`${csvPath} is not a readable CSV: ${(error as Error).message}`);
  }
  const rows: LabelRow[] = [];
  // Each record's raw text follows the last one's, blank lines before it included: where it starts is counted
  // here (csv-parse counts to a record's end, and a CR LF inside quotes as two).
  let linesBefore = 0;
  for (const [i, { record, raw }] of records.entries()) {
    const blank = /^(?:[ \t]*(?:\r\n|\r|\n))*/.exec(raw)![0];
    const line = linesBefore + breaksIn(blank) + 1;
    linesBefore += breaksIn(raw);
    const [file = "", label = ""] = record;
    if (i === 0 && file.toLowerCase() === "file" && label.toLowerCase() === "label") continue;
    if (record.length !== 2)
      throw new LabelsError(`${csvPath}, line ${line}: expected 2 columns (file,label), found ${record.length}.`);
    rows.push({ line, file, label });
  }
  if (rows.length === 0) throw new LabelsError(`${csvPath} has no file,label rows.`);
  return rows;
}

/** A line break as people count them: CRLF is one. */
const LINE_BREAK = /\r\n|\r|\n/g;
const breaksIn = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

/**
 * The study's order and labels: the CSV's when given (it must name every image of the folder exactly once, and
 * nothing else), else the folder's natural order with labels from the file names.
 */
export function labelledOrder(
  images: readonly string[],
  rows: readonly LabelRow[] | null,
  notImages: ReadonlyMap<string, string>,
  csvPath = "labels",
): LabelledOrder {
  if (!rows) return { order: [...images], labelOf: labelFromFileName };
  const known = new Set(images);
  const labels = new Map<string, string>();
  for (const { line, file, label } of rows) {
    const at = `${csvPath}, line ${line}`;
    const why = notImages.get(file);
    if (why) throw new LabelsError(`${at}: ${file} is not uploaded (${why}).`);
    if (!known.has(file)) throw new LabelsError(`${at}: the folder has no image named "${file}".`);
    if (labels.has(file)) throw new LabelsError(`${at}: ${file} is listed twice.`);
    if (label.length > MAX_LABEL_LENGTH)
      throw new LabelsError(`${at}: the label is longer than ${MAX_LABEL_LENGTH} characters.`);
    const unsafe = unsafeTextProblem(label, "the label");
    if (unsafe) throw new LabelsError(`${at}: ${unsafe}.`);
    labels.set(file, label || labelFromFileName(file));
  }
  const missing = images.filter((name) => !labels.has(name));
  if (missing.length > 0) {
    const named = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
    throw new LabelsError(
      `${csvPath} does not list ${missing.length} image${missing.length === 1 ? "" : "s"} of the folder: ${named}. List every image, or move those out of the folder.`,
    );
  }
  return { order: rows.map((row) => row.file), labelOf: (name) => labels.get(name) ?? labelFromFileName(name) };
}
