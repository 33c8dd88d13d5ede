import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FileEntry, UploadSnapshot } from "@study-uploader/upload-engine/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJournalKeeper, type JournalKeeper } from "./journal-keeper.js";
import type { Journal, JournalFile } from "./journal.js";

const BATCH_ID = "b".repeat(24);
const MD5_A = Buffer.alloc(16, 1).toString("base64");
const MD5_B = Buffer.alloc(16, 2).toString("base64");

/** What the folder says of each file: its name, size and modification time. */
const FACTS: Record<string, Pick<JournalFile, "name" | "size" | "mtimeMs">> = {
  "a.png": { name: "a.png", size: 100, mtimeMs: 1000 },
  "b.png": { name: "b.png", size: 200, mtimeMs: 2000 },
};

const fileIn = (id: string, state: FileEntry["state"]): FileEntry => ({
  key: id.charCodeAt(0),
  id,
  spec: { name: id, size: FACTS[id]?.size ?? 1, type: "image/png" },
  bytes: true,
  state,
  blocks: null,
  paused: false,
});

const snapshotOf = (batchId: string | null, ...files: FileEntry[]): UploadSnapshot => ({
  batchId,
  uploadUrl: null,
  files: Object.fromEntries(files.map((file) => [file.id, file])),
  commit: { kind: "idle" },
  bytesPerSecond: null,
  network: "online",
});

const hashing = (index: number | null): FileEntry["state"] => ({ kind: "hashing", index, expectedMd5: null });
const queued = (index: number, md5: string): FileEntry["state"] => ({
  kind: "queued",
  index,
  md5,
  attempt: 1,
  sent: 0,
  reason: null,
  renewLink: false,
});
const uploaded = (index: number, md5: string): FileEntry["state"] => ({ kind: "uploaded", index, md5 });

describe("createJournalKeeper", () => {
  let dir: string;
  let file: string;
  let clock: number;
  let keeper: JournalKeeper;
  const start: Journal = { version: 1, folder: "/photos", api: "http://api", batchId: null, studyId: null, files: [] };
  const written = (): Journal => JSON.parse(readFileSync(file, "utf8"));

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "journal-keeper-"));
    file = path.join(dir, "journal.json");
    clock = 10_000;
    keeper = createJournalKeeper(
      file,
      start,
      (id) => FACTS[id],
      () => clock,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the batch at once when the session gets one", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", hashing(null))));
    expect(written()).toEqual({ ...start, batchId: BATCH_ID, files: [] });
  });

  it("writes a file's place in the batch at once, with what the folder says of it", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", hashing(null))));
    clock += 10;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    expect(written().files).toEqual([
      { id: "a.png", name: "a.png", size: 100, mtimeMs: 1000, index: 0, md5: MD5_A, uploaded: false },
    ]);
  });

  it("writes at once when the number of placed files changes, a file taken out among them", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A)), fileIn("b.png", queued(1, MD5_B))));
    clock += 10;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    expect(written().files.map(({ id }) => id)).toEqual(["a.png"]);
  });

  it("writes at once when one file is taken out and another placed in the same step", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A)), fileIn("b.png", hashing(null))));
    clock += 10;
    keeper.update(snapshotOf(BATCH_ID, fileIn("b.png", queued(1, MD5_B))));
    expect(written().files.map(({ id, index }) => [id, index])).toEqual([["b.png", 1]]);
  });

  it("leaves out files the folder knows nothing of", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A)), fileIn("stray.png", queued(1, MD5_B))));
    expect(written().files.map(({ id }) => id)).toEqual(["a.png"]);
  });

  it("writes an arrival only once a second has passed since the last write", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    clock += 999;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", uploaded(0, MD5_A))));
    expect(written().files[0]!.uploaded).toBe(false);
    clock += 1;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", uploaded(0, MD5_A))));
    expect(written().files[0]!.uploaded).toBe(true);
  });

  it("writes a new MD5 only once a second has passed since the last write", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", hashing(0))));
    expect(written().files[0]!.md5).toBeNull();
    clock += 500;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    expect(written().files[0]!.md5).toBeNull();
    clock += 500;
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    expect(written().files[0]!.md5).toBe(MD5_A);
  });

  it("writes what is pending at flush", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", uploaded(0, MD5_A))));
    expect(written().files[0]!.uploaded).toBe(false);
    keeper.flush();
    expect(written().files[0]!.uploaded).toBe(true);
  });

  it("writes nothing at flush when nothing is pending", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    rmSync(file);
    keeper.flush();
    expect(existsSync(file)).toBe(false);
  });

  it("writes the study at once when the batch is committed, with the files' latest news", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", queued(0, MD5_A))));
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", uploaded(0, MD5_A))));
    keeper.committed("s".repeat(22));
    expect(written()).toEqual({
      ...start,
      batchId: BATCH_ID,
      studyId: "s".repeat(22),
      files: [{ id: "a.png", name: "a.png", size: 100, mtimeMs: 1000, index: 0, md5: MD5_A, uploaded: true }],
    });
  });

  it("writes the study even when nothing else is pending", () => {
    keeper.update(snapshotOf(BATCH_ID, fileIn("a.png", uploaded(0, MD5_A))));
    keeper.committed("s".repeat(22));
    expect(written()).toMatchObject({ batchId: BATCH_ID, studyId: "s".repeat(22), files: [{ uploaded: true }] });
  });
});
