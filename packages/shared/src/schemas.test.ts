import { describe, expect, it } from "vitest";
import { commitStudyRequestSchema, createBatchRequestSchema, defaultUploadConfig } from "./schemas.js";

const batch = createBatchRequestSchema({ maxFileBytes: 1000, maxFiles: 2 });
const png = { name: "a.png", size: 10, type: "image/png" };

describe("createBatchRequestSchema", () => {
  it("accepts files within the limits", () => {
    expect(batch.parse({ files: [png, { ...png, type: "image/webp" }] }).files).toHaveLength(2);
  });

  it.each([
    [{ files: [png, png, png] }, "files"],
    [{ files: [{ ...png, size: 1001 }] }, "files.0.size"],
    [{ files: [{ ...png, size: 0 }] }, "files.0.size"],
    [{ files: [{ ...png, type: "image/svg+xml" }] }, "files.0.type"],
    [{ files: [{ ...png, extra: 1 }] }, "files.0"],
    [{ files: [{ ...png, name: "scan\ud800.png" }] }, "files.0.name"],
    [{ files: [{ ...png, name: "scan\u202e.png" }] }, "files.0.name"],
  ])("rejects %j at %s", (input, path) => {
    const result = batch.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });

  it("uses the published defaults", () => {
    expect(defaultUploadConfig).toMatchObject({
      maxFileBytes: 16 * 1024 * 1024,
      maxFiles: 50,
      concurrency: 6,
      sasTtlSeconds: 600,
    });
  });
});

describe("commitStudyRequestSchema", () => {
  const valid = {
    batchId: "A".repeat(24),
    title: "T",
    elements: [{ index: 0, label: "x", md5: "1B2M2Y8AsgTpgAmY7PhCfg==" }],
  };

  it("accepts a well-formed commit", () => {
    expect(commitStudyRequestSchema.parse(valid)).toEqual(valid);
  });

  it("accepts a description of several lines, and titles and labels in any script", () => {
    const multilingual = {
      ...valid,
      title: "Étude \ud83d\udd2c 研究",
      description: "Line 1\r\nLine 2\n\tindented",
      elements: [{ ...valid.elements[0]!, label: "שלום \ud83d\ude00" }],
    };
    expect(commitStudyRequestSchema.parse(multilingual)).toEqual(multilingual);
  });

  const element = valid.elements[0]!;
  it.each([
    ["title", { title: "\ud800" }, "title contains malformed text (an unpaired surrogate)"],
    ["title", { title: "Study \udc00" }, "title contains malformed text (an unpaired surrogate)"],
    ["title", { title: "a\u202eb" }, "title contains control or direction-override characters"],
    ["title", { title: "two\nlines" }, "title contains control or direction-override characters"],
    ["title", { title: "a\u0000" }, "title contains control or direction-override characters"],
    ["description", { description: "ok\n\ud83d" }, "description contains malformed text (an unpaired surrogate)"],
    ["description", { description: "a\u0007" }, "description contains control or direction-override characters"],
    ["description", { description: "a\u2067b" }, "description contains control or direction-override characters"],
    [
      "elements.0.label",
      { elements: [{ ...element, label: "x\udbff" }] },
      "label contains malformed text (an unpaired surrogate)",
    ],
    [
      "elements.0.label",
      { elements: [{ ...element, label: "gnp.\u202eexe" }] },
      "label contains control or direction-override characters",
    ],
    [
      "elements.0.label",
      { elements: [{ ...element, label: "a\tb" }] },
      "label contains control or direction-override characters",
    ],
  ])("refuses unsafe text at %s: %j", (path, change, message) => {
    const issues = commitStudyRequestSchema.safeParse({ ...valid, ...change }).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join("."), i.message])).toContainEqual([path, message]);
  });

  it.each([
    [{ ...valid, batchId: "short" }, "batchId"],
    [{ ...valid, title: "" }, "title"],
    [{ ...valid, title: "x".repeat(201) }, "title"],
    [{ ...valid, elements: [] }, "elements"],
    [{ ...valid, elements: [{ index: 0, label: "x", md5: "not-md5" }] }, "elements.0.md5"],
    [{ ...valid, elements: [{ index: 0, label: "", md5: "1B2M2Y8AsgTpgAmY7PhCfg==" }] }, "elements.0.label"],
  ])("rejects %j at %s", (input, path) => {
    const result = commitStudyRequestSchema.safeParse(input);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});
