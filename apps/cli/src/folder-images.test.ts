import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatBytes } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FolderError, naturalOrder, scanFolder } from "./folder-images.js";

const LIMITS = { maxFileBytes: 10_000 };
const NOT_AN_IMAGE_BY_NAME = "not an image by its name (PNG, JPEG, WebP, GIF)";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "folder-images-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (name: string, bytes: Uint8Array | string) => writeFileSync(path.join(dir, name), bytes);

describe("scanFolder", () => {
  it("lists the images in natural file-name order, with their path, size, modification time and type", async () => {
    put("image-10.png", syntheticImage("image/png", 300));
    put("image-2.jpg", syntheticImage("image/jpeg", 400));
    put("Image-1.webp", syntheticImage("image/webp", 500));
    put("image-3.GIF", syntheticImage("image/gif", 600));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.images.map(({ name }) => name)).toEqual(["Image-1.webp", "image-2.jpg", "image-3.GIF", "image-10.png"]);
    const file = path.join(dir, "image-2.jpg");
    expect(scan.images[1]).toEqual({
      name: "image-2.jpg",
      path: file,
      size: 400,
      mtimeMs: statSync(file).mtimeMs,
      type: "image/jpeg",
    });
    expect(scan.images.map(({ type }) => type)).toEqual(["image/webp", "image/jpeg", "image/gif", "image/png"]);
    expect(scan.skipped).toEqual([]);
    expect(scan.problems).toEqual([]);
  });

  it("skips hidden files, files not named as images and subfolders, each with its reason", async () => {
    put("a.png", syntheticImage("image/png", 300));
    put(".hidden.png", syntheticImage("image/png", 300));
    put("notes.txt", "not an image");
    mkdirSync(path.join(dir, "more.png"));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.images.map(({ name }) => name)).toEqual(["a.png"]);
    expect(scan.skipped).toEqual([
      { name: ".hidden.png", reason: "a hidden file" },
      { name: "more.png", reason: "a folder (subfolders are not uploaded)" },
      { name: "notes.txt", reason: NOT_AN_IMAGE_BY_NAME },
    ]);
    expect(scan.problems).toEqual([]);
  });

  it.skipIf(process.platform === "win32")("skips a link to nothing as unreadable", async () => {
    symlinkSync(path.join(dir, "nowhere.png"), path.join(dir, "dangling.png"));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.skipped).toEqual([{ name: "dangling.png", reason: "could not be read" }]);
  });

  it("names the images that would be refused: empty, not an image inside, too large", async () => {
    put("empty.png", "");
    put("letter.png", "Dear researcher, this is not a picture.");
    put("huge.jpg", syntheticImage("image/jpeg", LIMITS.maxFileBytes + 1));
    put("fine.png", syntheticImage("image/png", LIMITS.maxFileBytes));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.images.map(({ name }) => name)).toEqual(["fine.png"]);
    expect(scan.problems).toEqual([
      { name: "empty.png", problem: "it is empty" },
      {
        name: "huge.jpg",
        problem: `it is ${formatBytes(LIMITS.maxFileBytes + 1)}, more than the ${formatBytes(LIMITS.maxFileBytes)} limit`,
      },
      { name: "letter.png", problem: "its bytes are not a PNG, JPEG, WebP, GIF image" },
    ]);
  });

  it("names an image whose structure is broken, without the web form's 'Not sent: '", async () => {
    put("cut.jpg", syntheticImage("image/jpeg", 400).slice(0, 12));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.images).toEqual([]);
    expect(scan.problems).toEqual([
      {
        name: "cut.jpg",
        problem: "its content is not a valid JPEG image (its marker 0xE0 segment runs past the end of the file)",
      },
    ]);
  });

  it("names an image whose file name holds invisible characters", async () => {
    put("a\u200b.png", syntheticImage("image/png", 300));
    const scan = await scanFolder(dir, LIMITS);
    expect(scan.problems).toEqual([{ name: "a\u200b.png", problem: "its name contains invisible characters" }]);
  });

  it("refuses a folder that does not exist", async () => {
    const missing = path.join(dir, "missing");
    await expect(scanFolder(missing, LIMITS)).rejects.toThrow(new FolderError(`No such folder: ${missing}`));
  });

  it("refuses a file given as the folder", async () => {
    const file = path.join(dir, "a.png");
    put("a.png", syntheticImage("image/png", 300));
    await expect(scanFolder(file, LIMITS)).rejects.toThrow(new FolderError(`Not a folder: ${file}`));
  });
});

describe("naturalOrder", () => {
  it("orders numbers by value and letters regardless of case, upper case first on a tie", () => {
    expect(["img10.png", "img2.png", "IMG1.png", "b.png", "a.png", "A.png"].sort(naturalOrder)).toEqual([
      "A.png",
      "a.png",
      "b.png",
      "IMG1.png",
      "img2.png",
      "img10.png",
    ]);
  });
});
