import { describe, expect, it } from "vitest";
import { fileNameProblem, labelFromFileName } from "./file-name.js";

describe("fileNameProblem", () => {
  it.each([
    "photo.png",
    "Scan 01 (left).JPG",
    "résumé-画像.webp",
    "\ud83d\udcf7 camera.jpg",
    "a".repeat(255),
    // Joiners are part of the text: Persian words, emoji sequences.
    "می\u200cخواهم.png",
    "\ud83d\udc69\u200d\ud83d\udd2c lab.jpg",
  ])("accepts %s", (name) => {
    expect(fileNameProblem(name)).toBeNull();
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["a".repeat(256), /longer than 255/],
    ["../secret.png", /path separator/],
    ["dir\\a.png", /path separator/],
    ["a\nb.png", /control/],
    ["a\u0007.png", /control/],
    ["invoice\u202egnp.exe", /control or direction-override/],
    ["\u2066exe.png\u2069", /control or direction-override/],
    ["a\u0085.png", /control or direction-override/],
    ["a\ud800.png", /malformed text \(an unpaired surrogate\)/],
    ["\udc00.png", /malformed text/],
    ["..", /not a file name/],
    ["photo\u2028.png", /line or paragraph separator/],
    ["a\u2029b.png", /line or paragraph separator/],
    ["photo\u200f.png", /invisible characters/],
    ["\u200eleft.png", /invisible characters/],
    ["zero\u200bwidth.png", /invisible characters/],
    ["\ufeffbom.png", /invisible characters/],
    ["soft\u00adhyphen.png", /invisible characters/],
    ["word\u2060joiner.png", /invisible characters/],
    ["\u3164.png", /invisible characters/],
    ["grapheme\u034fjoiner.png", /invisible characters/],
  ])("rejects %j", (name, problem) => {
    expect(fileNameProblem(name)).toMatch(problem);
  });
});

describe("labelFromFileName", () => {
  it.each([
    ["photo.png", "photo"],
    ["archive.tar.gz", "archive.tar"],
    [".hidden", ".hidden"],
    ["no-extension", "no-extension"],
    ["  spaced .jpg", "spaced"],
  ])("%s → %s", (name, label) => {
    expect(labelFromFileName(name)).toBe(label);
  });
});
