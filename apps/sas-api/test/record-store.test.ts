import { describe, expect, it } from "vitest";
import { z } from "zod";
import { apiErrorSchema } from "@study-uploader/shared";
import { batchPlanName, batchPlanSchema } from "../src/domain/records.js";
import { commitBody, createBatch, pngFile, testApiForSuite, uploadAll } from "./test-api.js";

const api = testApiForSuite();

describe("records read back from storage", () => {
  it("are null when missing and parsed with the schema when present", async () => {
    expect(await api.storage.records.read("batches", "missing.json", batchPlanSchema)).toBeNull();
    const files = [pngFile("a.png")];
    const batch = await createBatch(api, files);
    const plan = await api.storage.records.read("batches", batchPlanName(batch.batchId), batchPlanSchema);
    expect(plan).toMatchObject({ version: 1, batchId: batch.batchId, files: [{ index: 0, type: "image/png" }] });
  });

  it("are created once: a second create of the same name answers false and leaves the first", async () => {
    const schema = z.object({ n: z.number() });
    expect(await api.storage.records.create("index", "once/entry", { n: 1 }, { title: "first" })).toBe(true);
    expect(await api.storage.records.create("index", "once/entry", { n: 2 }, { title: "second" })).toBe(false);
    expect(await api.storage.records.read("index", "once/entry", schema)).toEqual({ n: 1 });
    const [listed] = await api.storage.records.list("index", "once/");
    expect(listed?.metadata).toEqual({ title: "first" });
  });

  it("are refused, not cast, when they do not fit the schema", async () => {
    await api.storage.records.create("batches", "not-a-plan.json", { version: 1, files: "none" });
    await expect(api.storage.records.read("batches", "not-a-plan.json", batchPlanSchema)).rejects.toThrow(
      /batches\/not-a-plan\.json is malformed/,
    );
  });

  it("make the API answer 500 in the error shape when a stored plan is damaged", async () => {
    const files = [pngFile("a.png")];
    const batch = await createBatch(api, files);
    await uploadAll(batch, files);
    const name = batchPlanName(batch.batchId);
    const plan = await api.storage.records.read("batches", name, batchPlanSchema);
    await api.storage.records.delete("batches", name);
    await api.storage.records.create("batches", name, { ...plan, files: [{ index: 0, type: "text/html" }] });
    const res = await api.post("/api/studies", commitBody(batch, files));
    expect(res.status).toBe(500);
    expect(apiErrorSchema.parse(await res.json()).error.code).toBe("internal_error");
  });

  it("are overwritten only from the version read, never under another's lease, metadata kept", async () => {
    const records = api.storage.records;
    const name = "conditional.json";
    await records.create("batches", name, { n: 0 }, { owner: "o" });
    const read = async () => (await records.readStored("batches", name, z.object({ n: z.number() })))!;
    const first = await read();
    expect(await records.replace("batches", name, { n: 1 }, first.etag, { owner: "o" })).toBe("replaced");
    expect(await records.replace("batches", name, { n: 2 }, first.etag, { owner: "o" })).toBe("changed");
    const second = await read();
    expect(second.value).toEqual({ n: 1 });
    expect((await records.list("batches", name))[0]?.metadata).toEqual({ owner: "o" });
    expect(await records.lease("batches", name, 15, first.etag)).toBe("changed");
    const lease = await records.lease("batches", name, 15, second.etag);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);
    try {
      expect((await read()).leased).toBe(true);
      expect(await records.replace("batches", name, { n: 3 }, second.etag)).toBe("leased");
    } finally {
      await lease.release();
    }
    expect(await records.replace("batches", "missing.json", {}, second.etag)).toBe("changed");
    expect(await records.replace("batches", name, { n: 3 }, second.etag, { owner: "o" })).toBe("replaced");
  });

  it("keep a lease while it is renewed, and a released one cannot be renewed", async () => {
    const records = api.storage.records;
    await records.create("batches", "renewed.json", { n: 0 });
    const lease = await records.lease("batches", "renewed.json", 15);
    if (typeof lease === "string") throw new Error(`no lease: ${lease}`);
    expect(await lease.renew()).toBe(true);
    expect(await records.lease("batches", "renewed.json", 15)).toBe("held");
    await lease.release();
    expect(await lease.renew()).toBe(false);
  });
});
