import { describe, expect, it } from "vitest";
import { BATCH_ID_PATTERN, STUDY_ID_PATTERN } from "@study-uploader/shared";
import { newBatchId, ownerKey, studyIdForBatch } from "./ids.js";

describe("ids", () => {
  it("makes batch ids of 144 random bits in the published pattern", () => {
    const ids = Array.from({ length: 1000 }, newBatchId);
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(BATCH_ID_PATTERN);
    expect(Buffer.from(ids[0]!, "base64url")).toHaveLength(18);
  });

  it("derives one stable study id per batch that does not reveal the batch id", () => {
    const batchId = newBatchId();
    expect(studyIdForBatch(batchId)).toBe(studyIdForBatch(batchId));
    expect(studyIdForBatch(batchId)).toMatch(STUDY_ID_PATTERN);
    expect(studyIdForBatch(batchId)).not.toContain(batchId.slice(0, 8));
    expect(studyIdForBatch(newBatchId())).not.toBe(studyIdForBatch(batchId));
  });

  it("keys owners by a hash of the subject", () => {
    expect(ownerKey(null)).toBe("anonymous");
    expect(ownerKey("alice")).toMatch(/^u-[A-Za-z0-9_-]{32}$/);
    expect(ownerKey("alice")).not.toBe(ownerKey("bob"));
    expect(ownerKey("../../x")).not.toContain("/");
  });
});
