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
