import { appendFileSync, existsSync, readFileSync, rmSync, utimesSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imageFolder,
  md5Of,
  putIndexes,
  runCli,
  startCli,
  startStack,
  writeFileIn,
  type ImageFile,
  type Stack,
} from "./cli-harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ MAX_FILES_PER_STUDY: "1000" });
});
afterAll(async () => {
  await stack?.stop();
});

const upload = (dir: string, journal: string, title: string, ...more: string[]) =>
  runCli([dir, "--title", title, "--api", stack.apiUrl, "--journal", journal, ...more]);

const readBackMd5s = async (studyId: string) => {
  const study = await stack.api.getStudy(studyId);
  return Promise.all(
    study.elements.map(async (element) => md5Of(new Uint8Array(await (await fetch(element.url)).arrayBuffer()))),
  );
};

const studiesTitled = async (title: string) =>
  (await stack.api.listStudies({ limit: 100 })).studies.filter((study) => study.title === title);

/** Waits until storage holds `count` of the journal's batch's files; returns their batch indexes. */
async function arrivedInBatch(journal: string, count: number): Promise<Set<number>> {
  let arrived = new Set<number>();
  await expect
    .poll(
      async () => {
        if (!existsSync(journal)) return 0;
        const { batchId } = JSON.parse(readFileSync(journal, "utf8")) as { batchId: string | null };
        if (!batchId) return 0;
        const status = await stack.api.getBatch(batchId);
        arrived = new Set(status.files.filter((file) => file.uploaded).map((file) => file.index));
        return arrived.size;
      },
      { timeout: 30_000 },
    )
    .toBe(count);
  return arrived;
}

describe("study-upload", () => {
  it("makes a folder of 20 images one study, in natural order, whose images read back with the files' MD5s", async () => {
    const folder = imageFolder(20);
    writeFileIn(folder.dir, "notes.txt", "not an image");
    const run = await upload(folder.dir, folder.journal, "Twenty", "--json");
    expect(run.stderr).toContain("skipped notes.txt: not an image by its name");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.url).toBe(`${stack.apiUrl}/studies/${result.studyId}`);
    expect(result.elements.map((e: { name: string }) => e.name)).toEqual(folder.files.map((f) => f.name));
    expect(result.elements.map((e: { label: string }) => e.label)).toEqual(
      folder.files.map((f) => f.name.replace(".png", "")),
    );
    expect(result.elements.map((e: { md5: string }) => e.md5)).toEqual(folder.files.map((f) => f.md5));
    expect(result.transfer).toMatchObject({ sentFiles: 20, reusedFiles: 0, resumedFiles: 0 });
    expect(await readBackMd5s(result.studyId)).toEqual(folder.files.map((f) => f.md5));
  });

  it("takes order and labels from a CSV", async () => {
    const folder = imageFolder(3);
    const csv = writeFileIn(
      folder.dir,
      "labels.csv",
      'file,label\nimage-3.png,"Third, first"\nimage-1.png,One\nimage-2.png,\n',
    );
    const run = await upload(folder.dir, folder.journal, "Labelled", "--labels", csv, "--json");
    expect(run.code).toBe(0);
    const study = await stack.api.getStudy(JSON.parse(run.stdout).studyId);
    expect(study.elements.map((e) => [e.name, e.label])).toEqual([
      ["image-3.png", "Third, first"],
      ["image-1.png", "One"],
      ["image-2.png", "image-2"],
    ]);
  });

  it("killed half-way and started again, sends no finished file twice and makes one study; a third run sends nothing", async () => {
    const folder = imageFolder(20, 128 * 1024);
    const title = `Resumed ${Date.now()}`;
    let puts = 0;
    // The first run gets 8 uploads through; the rest hang until it is killed.
    stack.storage.hold = ({ method }) => method === "PUT" && ++puts > 8;
    const first = startCli([folder.dir, "--title", title, "--api", stack.apiUrl, "--journal", folder.journal]);
    const arrived = await arrivedInBatch(folder.journal, 8);
    first.child.kill("SIGKILL");
    await first.done;
    stack.storage.hold = () => false;

    const mark = stack.storage.seen.length;
    const second = await upload(folder.dir, folder.journal, title, "--json");
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("8 of 20 files arrived in an earlier run");
    const sent = putIndexes(stack.storage, mark);
    expect(sent.filter((index) => arrived.has(index))).toEqual([]);
    expect(sent).toHaveLength(12);
    expect(new Set(sent).size).toBe(12);
    const result = JSON.parse(second.stdout);
    expect(result.transfer).toMatchObject({ sentFiles: 12, resumedFiles: 8 });
    expect(await readBackMd5s(result.studyId)).toEqual(folder.files.map((f) => f.md5));
    expect(await studiesTitled(title)).toHaveLength(1);

    const again = { storage: stack.storage.seen.length, api: stack.apiCalls.seen.length };
    const third = await upload(folder.dir, folder.journal, title);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain(`is already the study "${title}"`);
    expect(stack.storage.seen.length).toBe(again.storage);
    expect(stack.apiCalls.seen.slice(again.api).map((r) => r.method)).not.toContain("POST");
    expect(await studiesTitled(title)).toHaveLength(1);
  });

  it("stops on Ctrl-C with exit 3, and sends again a file changed since (and says so)", async () => {
    const folder = imageFolder(6, 96 * 1024);
    let puts = 0;
    stack.storage.hold = ({ method }) => method === "PUT" && ++puts > 3;
    const first = startCli([folder.dir, "--title", "Changed", "--api", stack.apiUrl, "--journal", folder.journal]);
    await arrivedInBatch(folder.journal, 3);
    first.child.kill("SIGINT");
    const stopped = await first.done;
    stack.storage.hold = () => false;
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain("Run the same command again to continue");

    const journal = JSON.parse(readFileSync(folder.journal, "utf8")) as {
      files: { name: string; uploaded: boolean }[];
    };
    const [grown, touched] = journal.files.filter((file) => file.uploaded).map((file) => file.name) as [string, string];
    appendFileSync(path.join(folder.dir, grown), Buffer.from("more bytes"));
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(folder.dir, touched), later, later);
    const files: ImageFile[] = folder.files.map((f) =>
      f.name === grown ? { ...f, md5: md5Of(readFileSync(f.path)) } : f,
    );

    const second = await upload(folder.dir, folder.journal, "Changed", "--json");
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`${grown} changed since the last run (size): it is sent again`);
    expect(second.stderr).toContain(`${touched} changed since the last run (modified time): it is sent again`);
    const result = JSON.parse(second.stdout);
    expect(result.transfer).toMatchObject({ sentFiles: 5, resumedFiles: 1 });
    expect(await readBackMd5s(result.studyId)).toEqual(files.map((f) => f.md5));
  });

  it("--dry-run checks the folder and sends nothing", async () => {
    const folder = imageFolder(5);
    const mark = { storage: stack.storage.seen.length, api: stack.apiCalls.seen.length };
    const run = await upload(folder.dir, folder.journal, "Dry", "--dry-run");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Dry run: 5 images");
    expect(run.stdout).toContain("1. image-1.png");
    expect(stack.storage.seen.length).toBe(mark.storage);
    expect(stack.apiCalls.seen.slice(mark.api)).toEqual([{ method: "GET", path: "/api/config" }]);
    expect(existsSync(folder.journal)).toBe(false);
  });

  it("refuses images that are not what their names say (exit 1) and sends nothing", async () => {
    const folder = imageFolder(2);
    writeFileIn(folder.dir, "report.png", "%PDF-1.7 not an image at all");
    writeFileIn(folder.dir, "empty.jpg", "");
    const mark = stack.apiCalls.seen.length;
    const run = await upload(folder.dir, folder.journal, "Refused");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("report.png: its bytes are not a PNG, JPEG, WebP, GIF image");
    expect(run.stderr).toContain("empty.jpg: it is empty");
    expect(run.stderr).toContain("nothing was sent");
    expect(stack.apiCalls.seen.slice(mark).map((r) => r.method)).not.toContain("POST");
  });

  describe("bad arguments, folders and CSVs: a clear message, exit 2, nothing sent", () => {
    const folder = imageFolder(3);
    const notImages = imageFolder(0);
    writeFileIn(notImages.dir, "readme.txt", "hello");
    const csv = (name: string, text: string) => writeFileIn(folder.dir, name, text);
    const cases: [string, () => string[], string][] = [
      ["a folder that does not exist", () => [path.join(folder.dir, "nope"), "--title", "T"], "No such folder"],
      ["a file, not a folder", () => [folder.files[0]!.path, "--title", "T"], "Not a folder"],
      ["a folder without images", () => [notImages.dir, "--title", "T"], "holds no PNG, JPEG, GIF or WebP images"],
      ["no title", () => [folder.dir], "A study needs a title"],
      ["an unknown option", () => [folder.dir, "--title", "T", "--fast"], "Unknown option '--fast'"],
      ["a bad concurrency", () => [folder.dir, "--title", "T", "--concurrency", "0"], "--concurrency must be"],
      [
        "a CSV that is not there",
        () => [folder.dir, "--title", "T", "--labels", "/nope.csv"],
        "Cannot read the labels file",
      ],
      [
        "a CSV naming a file the folder lacks",
        () => [folder.dir, "--title", "T", "--labels", csv("a.csv", "image-1.png,a\nimage-9.png,b\n")],
        'line 2: the folder has no image named "image-9.png"',
      ],
      [
        "a CSV with three columns",
        () => [folder.dir, "--title", "T", "--labels", csv("b.csv", "image-1.png,a,extra\n")],
        "line 1: expected 2 columns (file,label), found 3",
      ],
      [
        "a CSV listing a file twice",
        () => [folder.dir, "--title", "T", "--labels", csv("c.csv", "image-1.png,a\nimage-1.png,b\n")],
        "line 2: image-1.png is listed twice",
      ],
      [
        "a CSV that leaves images out",
        () => [folder.dir, "--title", "T", "--labels", csv("d.csv", "image-1.png,a\n")],
        "does not list 2 images of the folder: image-2.png, image-3.png",
      ],
      [
        "a CSV with an unclosed quote",
        () => [folder.dir, "--title", "T", "--labels", csv("e.csv", 'image-1.png,"a\n')],
        "is not a readable CSV",
      ],
    ];
    it.each(cases)("%s", async (_, args, message) => {
      const mark = { storage: stack.storage.seen.length, api: stack.apiCalls.seen.length };
      const run = await runCli([...args(), "--api", stack.apiUrl, "--journal", folder.journal]);
      expect(run.stderr).toContain(message);
      expect(run.code).toBe(2);
      expect(stack.storage.seen.length).toBe(mark.storage);
      expect(stack.apiCalls.seen.slice(mark.api).map((r) => r.method)).not.toContain("POST");
    });

    it("more images than a study may hold, with the limit and a hint", async () => {
      const many = imageFolder(51, 2048);
      // No API answers here: the dry run checks against the default limits (50 images) and says so.
      const run = await runCli([many.dir, "--title", "T", "--dry-run", "--api", "http://127.0.0.1:9"]);
      expect(run.stderr).toContain("checking against the defaults");
      expect(run.stderr).toContain("holds 51 images, but a study may hold at most 50. Split the folder");
      expect(run.code).toBe(2);
      rmSync(many.dir, { recursive: true });
    });
  });

  it(
    "uploads 1,000 files of 256 KB as one study, with memory well under their size",
    { timeout: 600_000 },
    async () => {
      const folder = imageFolder(1000, 256 * 1024, (i) => `frame-${String(i).padStart(4, "0")}.png`);
      const run = await upload(folder.dir, folder.journal, "A thousand", "--json");
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.elements).toHaveLength(1000);
      expect(result.elements.map((e: { md5: string }) => e.md5)).toEqual(folder.files.map((f) => f.md5));
      // Streams from disk: the peak is the runtime and the session's records, not the 256 MiB of images.
      expect(result.stats.maxRssBytes).toBeLessThan(256 * 1024 * 1024);
      const study = await stack.api.getStudy(result.studyId);
      const sample = study.elements.filter((_, i) => i % 100 === 0);
      const md5s = await Promise.all(
        sample.map(async (e) => md5Of(new Uint8Array(await (await fetch(e.url)).arrayBuffer()))),
      );
      expect(md5s).toEqual(sample.map((e) => folder.files[e.index]!.md5));
      console.log("1,000 × 256 KiB:", result.transfer, result.stats);
      rmSync(folder.dir, { recursive: true });
    },
  );
});
