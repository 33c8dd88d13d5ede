import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultJournalPath, JournalError, readJournal, writeJournal, type Journal } from "./journal.js";

const API = "http://127.0.0.1:8787";

describe.skipIf(process.platform === "win32")("defaultJournalPath", () => {
  it("puts the journal in STUDY_UPLOAD_STATE_DIR, named after the folder", () => {
    const file = defaultJournalPath("/data/photos", API, { STUDY_UPLOAD_STATE_DIR: "/state", XDG_STATE_HOME: "/xdg" });
    expect(path.dirname(file)).toBe("/state");
    expect(path.basename(file)).toMatch(/^photos-[0-9a-f]{16}\.json$/);
  });

  it("puts the journal under XDG_STATE_HOME/study-upload when STUDY_UPLOAD_STATE_DIR is unset", () => {
    const file = defaultJournalPath("/data/photos", API, { XDG_STATE_HOME: "/xdg" });
    expect(path.dirname(file)).toBe("/xdg/study-upload");
  });

  it("puts the journal under ~/.local/state/study-upload when neither is set", () => {
    const file = defaultJournalPath("/data/photos", API, {});
    expect(path.dirname(file)).toBe(path.join(os.homedir(), ".local", "state", "study-upload"));
  });

  it("keeps one journal per folder, even for folders of the same name", () => {
    const env = { STUDY_UPLOAD_STATE_DIR: "/state" };
    expect(defaultJournalPath("/data/a/photos", API, env)).not.toBe(defaultJournalPath("/data/b/photos", API, env));
  });

  it("keeps one journal per API", () => {
    const env = { STUDY_UPLOAD_STATE_DIR: "/state" };
    expect(defaultJournalPath("/data/photos", API, env)).not.toBe(
      defaultJournalPath("/data/photos", "https://uploader.example", env),
    );
  });

  it("names the same journal for the same folder and API, however the folder is written", () => {
    const env = { STUDY_UPLOAD_STATE_DIR: "/state" };
    const absolute = path.resolve("photos");
    expect(defaultJournalPath("photos", API, env)).toBe(defaultJournalPath(absolute, API, env));
    expect(defaultJournalPath(`${absolute}/`, API, env)).toBe(defaultJournalPath(absolute, API, env));
  });

  it("keeps only safe characters of the folder's name in the file name", () => {
    const file = defaultJournalPath("/data/My photos (2024)", API, { STUDY_UPLOAD_STATE_DIR: "/state" });
    expect(path.basename(file)).toMatch(/^My_photos_2024_-[0-9a-f]{16}\.json$/);
  });
});

describe("readJournal and writeJournal", () => {
  let dir: string;
  let folder: string;
  let file: string;
  const journalOf = (more: Partial<Journal> = {}): Journal => ({
    version: 1,
    folder,
    api: API,
    batchId: "b".repeat(24),
    studyId: null,
    files: [
      {
        id: "a.png",
        name: "a.png",
        size: 1234,
        mtimeMs: 1_700_000_000_123.5,
        index: 0,
        md5: Buffer.alloc(16, 7).toString("base64"),
        uploaded: true,
      },
      {
        id: "big.png/1",
        name: "big.png",
        size: 9000,
        mtimeMs: 1_700_000_000_000,
        index: 1,
        md5: null,
        uploaded: false,
        blocks: { blockBytes: 4096, md5s: [Buffer.alloc(16, 8).toString("base64")], done: [0] },
      },
    ],
    ...more,
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "journal-"));
    folder = path.join(dir, "photos");
    mkdirSync(folder);
    file = path.join(dir, "state", "nested", "journal.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads no journal where there is none", () => {
    expect(readJournal(file, folder, API)).toBeNull();
  });

  it("reads back the journal it wrote, creating its folder, and leaves no temporary file behind", () => {
    const journal = journalOf();
    writeJournal(file, journal);
    expect(readJournal(file, folder, API)).toEqual(journal);
    expect(readdirSync(path.dirname(file))).toEqual(["journal.json"]);
  });

  it("replaces the journal it wrote before", () => {
    writeJournal(file, journalOf());
    writeJournal(file, journalOf({ studyId: "s".repeat(22), files: [] }));
    expect(readJournal(file, folder, API)).toMatchObject({ studyId: "s".repeat(22), files: [] });
    expect(readdirSync(path.dirname(file))).toEqual(["journal.json"]);
  });

  it("finds the journal of a folder named relatively", () => {
    writeJournal(file, journalOf());
    expect(readJournal(file, path.relative(process.cwd(), folder), API)).toEqual(journalOf());
  });

  it("refuses a file that is not JSON", () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "{ not json");
    expect(() => readJournal(file, folder, API)).toThrow(
      new JournalError(`${file} is not a journal of this program; delete it to start over (nothing is lost).`),
    );
  });

  it("refuses JSON that is not a journal", () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...journalOf(), version: 2 }));
    expect(() => readJournal(file, folder, API)).toThrow(JournalError);
    writeFileSync(file, JSON.stringify({ ...journalOf(), files: [{ id: "a.png", md5: "not-an-md5" }] }));
    expect(() => readJournal(file, folder, API)).toThrow(/is not a journal of this program/);
  });

  it("refuses another folder's journal", () => {
    const other = path.join(dir, "other");
    writeJournal(file, journalOf({ folder: other }));
    expect(() => readJournal(file, folder, API)).toThrow(
      new JournalError(`${file} is the journal of ${other} on ${API}, not of this folder and API.`),
    );
  });

  it("refuses the same folder's journal for another API", () => {
    writeJournal(file, journalOf());
    expect(() => readJournal(file, folder, "https://uploader.example")).toThrow(
      new JournalError(`${file} is the journal of ${folder} on ${API}, not of this folder and API.`),
    );
  });

  it("refuses a journal it cannot read, with the system's error code", () => {
    mkdirSync(file, { recursive: true });
    expect(() => readJournal(file, folder, API)).toThrow(new JournalError(`Cannot read the journal ${file} (EISDIR).`));
  });
});
