import { describe, expect, it } from "vitest";
import { unsafeTextProblem } from "./text-safety.js";

const controls = "title contains control or direction-override characters";
const malformed = "title contains malformed text (an unpaired surrogate)";

describe("unsafeTextProblem", () => {
  it.each([
    "Study 1",
    "résumé 画像",
    // A surrogate pair is one character, not a lone half.
    "smile \ud83d\ude00",
    "\ud800\udc00",
    "\u{10ffff}",
    // Noncharacters and the marks that steer direction without overriding it are well-formed text.
    "\ufffe\uffff",
    "שלום\u200f world",
  ])("accepts %j", (text) => {
    expect(unsafeTextProblem(text, "title")).toBeNull();
  });

  it.each([
    ["a lone high surrogate", "\ud800", malformed],
    ["a lone low surrogate", "\udc00", malformed],
    ["a high surrogate at the end", "abc\udbff", malformed],
    ["a low surrogate at the start", "\udfffabc", malformed],
    ["a reversed pair", "\ude00\ud83d", malformed],
    ["two high surrogates", "\ud83d\ud83d\ude00", malformed],
    ["NUL", "a\u0000b", controls],
    ["a bell", "a\u0007", controls],
    ["a tab", "a\tb", controls],
    ["a line feed", "a\nb", controls],
    ["DEL", "a\u007f", controls],
    ["a C1 control (NEL)", "a\u0085b", controls],
    ["a right-to-left override", "gnp.\u202eexe", controls],
    ["a left-to-right embedding", "\u202aabc", controls],
    ["a first-strong isolate", "\u2068abc\u2069", controls],
    ["a line separator", "a\u2028b", "title contains a line or paragraph separator"],
    ["a paragraph separator", "a\u2029b", "title contains a line or paragraph separator"],
  ])("refuses %s in a line", (_, text, problem) => {
    expect(unsafeTextProblem(text, "title")).toBe(problem);
  });

  it("refuses invisible characters only where asked (file names), and keeps the joiners scripts need", () => {
    expect(unsafeTextProblem("שלום\u200f world", "name", { visibleOnly: true })).toBe(
      "name contains invisible characters",
    );
    expect(unsafeTextProblem("a\u200bb", "title")).toBeNull();
    expect(unsafeTextProblem("می\u200cخواهم", "name", { visibleOnly: true })).toBeNull();
  });

  it("lets multi-line text keep tabs and line breaks, and nothing else of the above", () => {
    expect(unsafeTextProblem("para 1\u2029para 2", "description", { multiline: true })).toBeNull();
    expect(unsafeTextProblem("line 1\r\nline 2\n\tindented", "description", { multiline: true })).toBeNull();
    expect(unsafeTextProblem("a\u000bb", "description", { multiline: true })).toBe(
      "description contains control or direction-override characters",
    );
    expect(unsafeTextProblem("a\u202eb", "description", { multiline: true })).toMatch(/direction-override/);
    expect(unsafeTextProblem("a\n\ud800", "description", { multiline: true })).toBe(
      "description contains malformed text (an unpaired surrogate)",
    );
  });
});
