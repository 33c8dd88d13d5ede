import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MAX_LABEL_LENGTH } from "@study-uploader/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { labelledOrder, LabelsError, readLabelsCsv, type LabelRow } from "./labels-csv.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "labels-csv-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as a CSV in the test's folder; returns its path. */
function csv(text: string, name = "labels.csv"): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const row = (line: number, file: string, label: string): LabelRow => ({ line, file, label });

describe("readLabelsCsv", () => {
  it("reads file,label rows with the line each is on", async () => {
    expect(await readLabelsCsv(csv("a.png,Apple\nb.png,Banana\n"))).toEqual([
      row(1, "a.png", "Apple"),
      row(2, "b.png", "Banana"),
    ]);
  });

  it("skips a file,label header row, whatever its case", async () => {
    expect(await readLabelsCsv(csv("File,Label\na.png,Apple\n"))).toEqual([row(2, "a.png", "Apple")]);
  });

  it("keeps a first row that only looks half like a header", async () => {
    expect(await readLabelsCsv(csv("file,Apple\n"))).toEqual([row(1, "file", "Apple")]);
  });

  it("reads a file with a byte order mark, header and all", async () => {
    expect(await readLabelsCsv(csv("\ufefffile,label\r\na.png,Apple\r\n"))).toEqual([row(2, "a.png", "Apple")]);
    expect(await readLabelsCsv(csv("\ufeffa.png,Apple\n"))).toEqual([row(1, "a.png", "Apple")]);
  });

  it("keeps commas inside quotes, and trims around the fields", async () => {
    expect(await readLabelsCsv(csv('a.png,"Apples, pears"\n b.png , Banana \n'))).toEqual([
      row(1, "a.png", "Apples, pears"),
      row(2, "b.png", "Banana"),
    ]);
  });

  it("skips blank lines but still counts them in line numbers", async () => {
    expect(await readLabelsCsv(csv("a.png,Apple\n\n   \nb.png,Banana\n"))).toEqual([
      row(1, "a.png", "Apple"),
      row(4, "b.png", "Banana"),
    ]);
  });

  it("keeps an empty label (it falls back to the file name later)", async () => {
    expect(await readLabelsCsv(csv("a.png,\n"))).toEqual([row(1, "a.png", "")]);
  });

  it("refuses a row without exactly two columns, naming its line", async () => {
    const file = csv("a.png,Apple\n\nb.png,Banana,extra\n");
    await expect(readLabelsCsv(file)).rejects.toThrow(
      new LabelsError(`${file}, line 3: expected 2 columns (file,label), found 3.`),
    );
    const single = csv("file,label\na.png\n", "single.csv");
    await expect(readLabelsCsv(single)).rejects.toThrow(`${single}, line 2: expected 2 columns (file,label), found 1.`);
  });

  it("refuses a file whose quote is never closed", async () => {
    const file = csv('a.png,"Apple\nb.png,Banana\n');
    const error: unknown = await readLabelsCsv(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabelsError);
    expect((error as Error).message.startsWith(`${file} is not a readable CSV: `)).toBe(true);
    expect((error as Error).message).toContain("Quote Not Closed");
  });

  it("refuses a file it cannot read, with the system's error code", async () => {
    const missing = path.join(dir, "missing.csv");
    await expect(readLabelsCsv(missing)).rejects.toThrow(
      new LabelsError(`Cannot read the labels file ${missing} (ENOENT)`),
    );
  });

  it("refuses a file holding only a header, or nothing", async () => {
    const header = csv("file,label\n");
    await expect(readLabelsCsv(header)).rejects.toThrow(new LabelsError(`${header} has no file,label rows.`));
    const empty = csv("", "empty.csv");
    await expect(readLabelsCsv(empty)).rejects.toThrow(`${empty} has no file,label rows.`);
  });

  it("reports a row whose quoted label spans two lines at the line it starts on, after blank lines too", async () => {
    const rows = await readLabelsCsv(csv('a.png,Apple\nb.png,"Ban\nana"\n\n\nc.png,Cherry\nd.png,"x\r\ny"'));
    expect(rows.map(({ line, file }) => [line, file])).toEqual([
      [1, "a.png"],
      [2, "b.png"],
      [6, "c.png"],
      [7, "d.png"],
    ]);
  });
});

describe("labelledOrder", () => {
  const none = new Map<string, string>();

  it("without a CSV keeps the folder's order and labels each image by its file name", () => {
    const { order, labelOf } = labelledOrder(["image-2.png", "image-10.jpeg", "scan.final.gif"], null, none);
    expect(order).toEqual(["image-2.png", "image-10.jpeg", "scan.final.gif"]);
    expect(order.map(labelOf)).toEqual(["image-2", "image-10", "scan.final"]);
  });

  it("takes the order and the labels from the CSV", () => {
    const rows = [row(1, "c.png", "Cherry"), row(2, "a.png", "Apple"), row(3, "b.png", "Banana")];
    const { order, labelOf } = labelledOrder(["a.png", "b.png", "c.png"], rows, none);
    expect(order).toEqual(["c.png", "a.png", "b.png"]);
    expect(order.map(labelOf)).toEqual(["Cherry", "Apple", "Banana"]);
  });

  it("labels an image by its file name when its CSV label is empty", () => {
    const { labelOf } = labelledOrder(["a.png", "b.png"], [row(1, "a.png", ""), row(2, "b.png", "Banana")], none);
    expect(labelOf("a.png")).toBe("a");
    expect(labelOf("b.png")).toBe("Banana");
  });

  it("refuses a row naming a file the folder does not have, with its line", () => {
    expect(() => labelledOrder(["a.png"], [row(1, "a.png", "A"), row(2, "z.png", "Z")], none, "my.csv")).toThrow(
      new LabelsError('my.csv, line 2: the folder has no image named "z.png".'),
    );
  });

  it("refuses a row naming a file that is skipped, with the reason it is", () => {
    const skipped = new Map([["notes.txt", "not an image by its name"]]);
    expect(() => labelledOrder(["a.png"], [row(1, "a.png", "A"), row(3, "notes.txt", "N")], skipped)).toThrow(
      new LabelsError("labels, line 3: notes.txt is not uploaded (not an image by its name)."),
    );
  });

  it("refuses a file listed twice, at its second row", () => {
    const rows = [row(1, "a.png", "A"), row(2, "b.png", "B"), row(5, "a.png", "Again")];
    expect(() => labelledOrder(["a.png", "b.png"], rows, none)).toThrow(
      new LabelsError("labels, line 5: a.png is listed twice."),
    );
  });

  it(`takes a label of ${MAX_LABEL_LENGTH} characters but refuses a longer one`, () => {
    const longest = "x".repeat(MAX_LABEL_LENGTH);
    expect(labelledOrder(["a.png"], [row(1, "a.png", longest)], none).labelOf("a.png")).toBe(longest);
    expect(() => labelledOrder(["a.png"], [row(1, "a.png", `${longest}x`)], none)).toThrow(
      new LabelsError(`labels, line 1: the label is longer than ${MAX_LABEL_LENGTH} characters.`),
    );
  });

  it("refuses a label holding control characters", () => {
    expect(() => labelledOrder(["a.png"], [row(2, "a.png", "Ap\u202eple")], none)).toThrow(
      new LabelsError("labels, line 2: the label contains control or direction-override characters."),
    );
  });

  it("refuses a CSV that leaves out one image, naming it", () => {
    expect(() => labelledOrder(["a.png", "b.png"], [row(1, "a.png", "A")], none, "my.csv")).toThrow(
      new LabelsError(
        "my.csv does not list 1 image of the folder: b.png. List every image, or move those out of the folder.",
      ),
    );
  });

  it("names at most five images a CSV leaves out, and counts the rest", () => {
    const images = ["a.png", ...Array.from({ length: 7 }, (_, i) => `m${i + 1}.png`)];
    expect(() => labelledOrder(images, [row(1, "a.png", "A")], none)).toThrow(
      new LabelsError(
        "labels does not list 7 images of the folder: m1.png, m2.png, m3.png, m4.png, m5.png and 2 more. List every image, or move those out of the folder.",
      ),
    );
  });
});
