import type { BatchStatus } from "@study-uploader/shared";
import { describe, expect, it } from "vitest";
import type { FolderImage } from "./folder-images.js";
import type { Journal, JournalFile } from "./journal.js";
import { arrivedUnchanged, planResume } from "./resume-plan.js";

const md5 = (byte: number) => Buffer.alloc(16, byte).toString("base64");
const OLD_MD5 = md5(1);
const NEW_MD5 = md5(2);
const BATCH_ID = "b".repeat(24);

type ServerFile = BatchStatus["files"][number];

/** A file as the journal recorded it: 100 bytes, modified at 1000, hashed, not arrived (unless told). */
const entry = (name: string, index: number, more: Partial<JournalFile> = {}): JournalFile => ({
  id: name,
  name,
  size: 100,
  mtimeMs: 1000,
  index,
  md5: OLD_MD5,
  uploaded: false,
  ...more,
});

/** A file as storage reports it: present and arrived (unless told). */
const server = (name: string, index: number, more: Partial<ServerFile> = {}): ServerFile => ({
  index,
  name,
  size: 100,
  type: "image/png",
  removed: false,
  uploaded: true,
  ...more,
});

/** An image of the folder as it is now: as the journal recorded it (unless told). */
const image = (name: string, more: Partial<FolderImage> = {}): FolderImage => ({
  name,
  path: `/photos/${name}`,
  size: 100,
  mtimeMs: 1000,
  type: "image/png",
  ...more,
});

const journalOf = (files: JournalFile[]): Journal => ({
  version: 1,
  folder: "/photos",
  api: "http://127.0.0.1:8787",
  batchId: BATCH_ID,
  studyId: null,
  files,
});

const statusOf = (files: ServerFile[]): BatchStatus => ({
  batchId: BATCH_ID,
  stagingExpiresAt: "2030-01-01T00:00:00.000Z",
  studyId: null,
  files,
});

describe("planResume", () => {
  it("restores a file that arrived and has not changed as uploaded, under its journal id and MD5", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0, { id: "a.png/3" })]),
      statusOf([server("a.png", 0)]),
      [image("a.png")],
      new Map([["a.png", OLD_MD5]]),
    );
    expect(plan).toEqual({
      restored: [
        {
          id: "a.png/3",
          index: 0,
          name: "a.png",
          size: 100,
          type: "image/png",
          md5: OLD_MD5,
          uploaded: true,
          blocks: null,
        },
      ],
      drop: [],
      ids: new Map([["a.png", "a.png/3"]]),
      notes: [],
    });
  });

  it("restores a file that has not arrived as not uploaded, keeping its journal MD5", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0)]),
      statusOf([server("a.png", 0, { uploaded: false })]),
      [image("a.png")],
      new Map(),
    );
    expect(plan.restored).toEqual([
      {
        id: "a.png",
        index: 0,
        name: "a.png",
        size: 100,
        type: "image/png",
        md5: OLD_MD5,
        uploaded: false,
        blocks: null,
      },
    ]);
    expect(plan.drop).toEqual([]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png"]]));
  });

  it("restores the blocks storage holds of a large file that has not arrived", () => {
    const blocks = { blockBytes: 4, md5s: [md5(3), md5(4), md5(5)], done: [0] };
    const plan = planResume(
      journalOf([entry("big.png", 0, { size: 12, blocks })]),
      statusOf([
        server("big.png", 0, {
          size: 12,
          uploaded: false,
          stagedBlocks: [
            { block: 0, md5: md5(3), size: 4 },
            { block: 1, md5: md5(4), size: 4 },
          ],
        }),
      ]),
      [image("big.png", { size: 12 })],
      new Map(),
    );
    expect(plan.restored[0]!.blocks).toEqual({
      blockBytes: 4,
      reported: [
        { block: 0, md5: md5(3) },
        { block: 1, md5: md5(4) },
      ],
      md5s: [md5(3), md5(4), md5(5)],
    });
  });

  it("takes out a file whose size changed and sends it again under a new id, saying so", () => {
    const plan = planResume(
      journalOf([entry("a.png", 4)]),
      statusOf([server("a.png", 4)]),
      [image("a.png", { size: 120 })],
      new Map(),
    );
    expect(plan.drop).toEqual(["a.png"]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png/4"]]));
    expect(plan.notes).toEqual(["a.png changed since the last run (size): it is sent again"]);
    expect(plan.restored.map(({ id }) => id)).toEqual(["a.png"]);
  });

  it("takes out a file whose modification time changed and sends it again under a new id, saying so", () => {
    const plan = planResume(
      journalOf([entry("a.png", 2)]),
      statusOf([server("a.png", 2, { uploaded: false })]),
      [image("a.png", { mtimeMs: 2000 })],
      new Map(),
    );
    expect(plan.drop).toEqual(["a.png"]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png/2"]]));
    expect(plan.notes).toEqual(["a.png changed since the last run (modified time): it is sent again"]);
  });

  it("takes out an arrived file whose bytes now hash to another MD5, saying its content changed", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0)]),
      statusOf([server("a.png", 0)]),
      [image("a.png")],
      new Map([["a.png", NEW_MD5]]),
    );
    expect(plan.restored[0]).toMatchObject({ id: "a.png", md5: OLD_MD5, uploaded: true });
    expect(plan.drop).toEqual(["a.png"]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png/0"]]));
    expect(plan.notes).toEqual(["a.png changed since the last run (content (MD5)): it is sent again"]);
  });

  it("gives an arrived file the journal has no MD5 for the MD5 read now, and counts it as uploaded", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0, { md5: null })]),
      statusOf([server("a.png", 0)]),
      [image("a.png")],
      new Map([["a.png", NEW_MD5]]),
    );
    expect(plan.restored[0]).toMatchObject({ id: "a.png", md5: NEW_MD5, uploaded: true, blocks: null });
    expect(plan.drop).toEqual([]);
    expect(plan.notes).toEqual([]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png"]]));
  });

  it("does not count an arrived file as uploaded when neither the journal nor a new read knows its MD5", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0, { md5: null })]),
      statusOf([server("a.png", 0)]),
      [image("a.png")],
      new Map(),
    );
    expect(plan.restored[0]).toMatchObject({ md5: null, uploaded: false });
  });

  it("takes out a file gone from the folder, saying so, and gives it no id", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0), entry("gone.png", 1)]),
      statusOf([server("a.png", 0), server("gone.png", 1)]),
      [image("a.png")],
      new Map([["a.png", OLD_MD5]]),
    );
    expect(plan.restored.map(({ id }) => id)).toEqual(["a.png", "gone.png"]);
    expect(plan.drop).toEqual(["gone.png"]);
    expect(plan.notes).toEqual(["gone.png is no longer in the folder: taken out of the study"]);
    expect(plan.ids).toEqual(new Map([["a.png", "a.png"]]));
  });

  it("restores a batch file the journal never recorded under an id of its own, takes it out, and adds its image anew", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0)]),
      statusOf([server("a.png", 0), server("b.png", 1, { size: 250, type: "image/jpeg" })]),
      [image("a.png"), image("b.png", { size: 250, type: "image/jpeg" })],
      new Map([["a.png", OLD_MD5]]),
    );
    expect(plan.restored[1]).toEqual({
      id: "/unjournalled/1",
      index: 1,
      name: "b.png",
      size: 250,
      type: "image/jpeg",
      md5: null,
      uploaded: false,
    });
    expect(plan.drop).toEqual(["/unjournalled/1"]);
    expect(plan.ids).toEqual(
      new Map([
        ["a.png", "a.png"],
        ["b.png", "b.png"],
      ]),
    );
  });

  it("skips batch files already taken out", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0), entry("b.png", 1)]),
      statusOf([server("a.png", 0, { removed: true }), server("b.png", 1), server("c.png", 2, { removed: true })]),
      [image("a.png"), image("b.png")],
      new Map([["b.png", OLD_MD5]]),
    );
    expect(plan.restored.map(({ index }) => index)).toEqual([1]);
    expect(plan.drop).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it("gives each image new to the batch its name as id", () => {
    const plan = planResume(
      journalOf([entry("a.png", 0)]),
      statusOf([server("a.png", 0)]),
      [image("a.png"), image("new-1.png"), image("new-2.png")],
      new Map([["a.png", OLD_MD5]]),
    );
    expect(plan.ids).toEqual(
      new Map([
        ["a.png", "a.png"],
        ["new-1.png", "new-1.png"],
        ["new-2.png", "new-2.png"],
      ]),
    );
    expect(plan.restored).toHaveLength(1);
  });
});

describe("arrivedUnchanged", () => {
  it("returns only the files that arrived, are still in the folder and kept their size and modification time", () => {
    const journal = journalOf([
      entry("arrived.png", 0),
      entry("waiting.png", 1),
      entry("resized.png", 2),
      entry("touched.png", 3),
      entry("gone.png", 4),
      entry("removed.png", 5),
      entry("unknown.png", 6),
    ]);
    const status = statusOf([
      server("arrived.png", 0),
      server("waiting.png", 1, { uploaded: false }),
      server("resized.png", 2),
      server("touched.png", 3),
      server("gone.png", 4),
      server("removed.png", 5, { removed: true }),
    ]);
    const images = [
      image("arrived.png"),
      image("waiting.png"),
      image("resized.png", { size: 99 }),
      image("touched.png", { mtimeMs: 1001 }),
      image("removed.png"),
      image("unknown.png"),
    ];
    expect(arrivedUnchanged(journal, status, images)).toEqual([image("arrived.png")]);
  });
});
