import { describe, expect, it } from "vitest";
import { apiErrorSchema, studySchema } from "@study-uploader/shared";
import { commitBody, createBatch, md5Base64, pngFile, testApiForSuite, uploadAll } from "./test-api.js";

const api = testApiForSuite({ maxFiles: 5, maxFileBytes: 1024 * 1024 });

const png = { name: "a.png", size: 100, type: "image/png" };
const md5 = md5Base64(Buffer.from("x"));

interface BadRequest {
  what: string;
  path: string;
  body: unknown;
  status: number;
  code: string;
  mentions?: RegExp;
  contentType?: string;
}

const BATCH = "/api/batches";
const STUDIES = "/api/studies";

const cases: BadRequest[] = [
  { what: "malformed JSON", path: BATCH, body: '{"files": [', status: 400, code: "invalid_json" },
  { what: "JSON that is not an object", path: BATCH, body: "[1,2,3]", status: 400, code: "invalid_request" },
  { what: "a JSON string", path: BATCH, body: '"hello"', status: 400, code: "invalid_request" },
  { what: "null", path: BATCH, body: "null", status: 400, code: "invalid_request" },
  { what: "an empty body", path: BATCH, body: "", status: 400, code: "invalid_json" },
  { what: "missing files", path: BATCH, body: {}, status: 400, code: "invalid_request", mentions: /files/ },
  {
    what: "files not an array",
    path: BATCH,
    body: { files: "a.png" },
    status: 400,
    code: "invalid_request",
    mentions: /files/,
  },
  {
    what: "no files",
    path: BATCH,
    body: { files: [] },
    status: 400,
    code: "invalid_request",
    mentions: /at least one/,
  },
  {
    what: "size as a string",
    path: BATCH,
    body: { files: [{ ...png, size: "100" }] },
    status: 400,
    code: "invalid_request",
    mentions: /size/,
  },
  {
    what: "zero size",
    path: BATCH,
    body: { files: [{ ...png, size: 0 }] },
    status: 400,
    code: "invalid_request",
    mentions: /empty/,
  },
  {
    what: "negative size",
    path: BATCH,
    body: { files: [{ ...png, size: -5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /size/,
  },
  {
    what: "fractional size",
    path: BATCH,
    body: { files: [{ ...png, size: 1.5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /whole number/,
  },
  {
    what: "a size over the limit",
    path: BATCH,
    body: { files: [{ ...png, size: 1024 * 1024 + 1 }] },
    status: 400,
    code: "invalid_request",
    mentions: /larger than/,
  },
  {
    what: "an absurd size",
    path: BATCH,
    body: { files: [{ ...png, size: 1e300 }] },
    status: 400,
    code: "invalid_request",
    mentions: /size/,
  },
  {
    what: "too many files",
    path: BATCH,
    body: { files: Array(6).fill(png) },
    status: 400,
    code: "invalid_request",
    mentions: /at most 5/,
  },
  {
    what: "a type off the allow-list",
    path: BATCH,
    body: { files: [{ ...png, type: "text/html" }] },
    status: 400,
    code: "invalid_request",
    mentions: /type/,
  },
  {
    what: "SVG",
    path: BATCH,
    body: { files: [{ ...png, type: "image/svg+xml" }] },
    status: 400,
    code: "invalid_request",
    mentions: /type/,
  },
  {
    what: "a path in the name",
    path: BATCH,
    body: { files: [{ ...png, name: "../../etc/passwd" }] },
    status: 400,
    code: "invalid_request",
    mentions: /path separator/,
  },
  {
    what: "a backslash path",
    path: BATCH,
    body: { files: [{ ...png, name: "C:\\x\\a.png" }] },
    status: 400,
    code: "invalid_request",
    mentions: /path separator/,
  },
  {
    what: "control characters in the name",
    path: BATCH,
    body: { files: [{ ...png, name: "a\u0000b.png" }] },
    status: 400,
    code: "invalid_request",
    mentions: /control/,
  },
  {
    what: "a bidi override in the name",
    path: BATCH,
    body: { files: [{ ...png, name: "gnp.\u202eexe" }] },
    status: 400,
    code: "invalid_request",
    mentions: /control/,
  },
  {
    what: "a right-to-left mark in the name (invisible: two names that look the same)",
    path: BATCH,
    body: { files: [{ ...png, name: "photo\u200f.png" }] },
    status: 400,
    code: "invalid_request",
    mentions: /invisible characters/,
  },
  {
    what: "a line separator in the name",
    path: BATCH,
    body: { files: [{ ...png, name: "photo\u2028.png" }] },
    status: 400,
    code: "invalid_request",
    mentions: /line or paragraph separator/,
  },
  {
    what: "a 1,000-character name",
    path: BATCH,
    body: { files: [{ ...png, name: `${"a".repeat(996)}.png` }] },
    status: 400,
    code: "invalid_request",
    mentions: /longer than 255/,
  },
  {
    what: "an empty name",
    path: BATCH,
    body: { files: [{ ...png, name: "  " }] },
    status: 400,
    code: "invalid_request",
    mentions: /empty/,
  },
  {
    what: "unknown fields",
    path: BATCH,
    body: { files: [png], admin: true },
    status: 400,
    code: "invalid_request",
    mentions: /admin/,
  },
  {
    what: "a body over the limit",
    path: BATCH,
    body: { files: [{ ...png, name: "x".repeat(300 * 1024) }] },
    status: 413,
    code: "payload_too_large",
  },
  {
    what: "form data instead of JSON",
    path: BATCH,
    body: "files=a.png",
    status: 415,
    code: "unsupported_media_type",
    contentType: "application/x-www-form-urlencoded",
  },
  {
    what: "a commit without a title",
    path: STUDIES,
    body: { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", elements: [{ index: 0, label: "a", md5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /title/,
  },
  {
    what: "a blank title",
    path: STUDIES,
    body: { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", title: "   ", elements: [{ index: 0, label: "a", md5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /title is required/,
  },
  {
    what: "a malformed md5",
    path: STUDIES,
    body: { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", title: "t", elements: [{ index: 0, label: "a", md5: "abc" }] },
    status: 400,
    code: "invalid_request",
    mentions: /md5/,
  },
  {
    what: "a negative index",
    path: STUDIES,
    body: { batchId: "AAAAAAAAAAAAAAAAAAAAAAAA", title: "t", elements: [{ index: -1, label: "a", md5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /index/,
  },
  {
    what: "a malformed batch id",
    path: STUDIES,
    body: { batchId: "../x", title: "t", elements: [{ index: 0, label: "a", md5 }] },
    status: 400,
    code: "invalid_request",
    mentions: /batch id/,
  },
  {
    what: "an unknown batch",
    path: STUDIES,
    body: { batchId: "BBBBBBBBBBBBBBBBBBBBBBBB", title: "t", elements: [{ index: 0, label: "a", md5 }] },
    status: 404,
    code: "not_found",
  },
  {
    what: "refresh indexes of the wrong type",
    path: "/api/batches/AAAAAAAAAAAAAAAAAAAAAAAA/refresh",
    body: { indexes: "all" },
    status: 400,
    code: "invalid_request",
    mentions: /indexes/,
  },
  { what: "an unknown route", path: "/api/admin", body: {}, status: 404, code: "not_found" },
];

describe("bad input", () => {
  it.each(cases)(
    "answers $what with $status $code in the error shape",
    async ({ path, body, status, code, mentions, contentType }) => {
      const res = await fetch(api.baseUrl + path, {
        method: "POST",
        headers: { "content-type": contentType ?? "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      const error = apiErrorSchema.parse(await res.json()).error;
      expect(error.code).toBe(code);
      if (mentions) expect(error.message).toMatch(mentions);
    },
  );

  it("names the offending file by index", async () => {
    const res = await api.post(BATCH, { files: [png, { ...png, type: "text/html" }, png, { ...png, size: 0 }] });
    const error = apiErrorSchema.parse(await res.json()).error;
    expect(error.files?.map((f) => f.index)).toEqual([1, 3]);
  });

  it("wrote nothing to storage for any of it", async () => {
    const prefixes = await api.storage.records.list("batches", "");
    const studies = await api.storage.records.list("studies", "");
    expect(prefixes).toEqual([]);
    expect(studies).toEqual([]);
    // Sanity: a good request does write, so the check above can fail.
    await createBatch(api, [pngFile("ok.png")]);
    expect(await api.storage.records.list("batches", "")).toHaveLength(1);
  });
});

const PLACEHOLDER = "text-under-test";
/** A JSON body with `rawJson` (JSON text, escapes and all) where the placeholder string was. */
const withRawText = (body: unknown, rawJson: string) => JSON.stringify(body).replace(`"${PLACEHOLDER}"`, rawJson);

describe("malformed text", () => {
  const textApi = testApiForSuite();

  type CommitBody = ReturnType<typeof commitBody>;
  const inFirstLabel = (body: CommitBody) => ({
    ...body,
    elements: body.elements.map((e, i) => (i === 0 ? { ...e, label: PLACEHOLDER } : e)),
  });

  // Raw JSON text: an unpaired surrogate can only travel as a \u escape, since it has no UTF-8 form.
  it.each([
    [
      "a title that is an unpaired high surrogate",
      String.raw`"\ud800"`,
      (b: CommitBody) => ({ ...b, title: PLACEHOLDER }),
      /title contains malformed text/,
    ],
    [
      "a title with a reversed pair",
      String.raw`"\ude00\ud83d study"`,
      (b: CommitBody) => ({ ...b, title: PLACEHOLDER }),
      /title contains malformed text/,
    ],
    [
      "a description with an unpaired low surrogate",
      String.raw`"notes\n\udc00"`,
      (b: CommitBody) => ({ ...b, description: PLACEHOLDER }),
      /description contains malformed text/,
    ],
    ["a label with an unpaired surrogate", String.raw`"scan \udbff"`, inFirstLabel, /label contains malformed text/],
    [
      "a label with a right-to-left override",
      String.raw`"gnp.\u202eexe"`,
      inFirstLabel,
      /label contains control or direction-override/,
    ],
  ])("refuses a commit with %s as 400, and the batch still commits afterwards", async (_, rawJson, place, mentions) => {
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(textApi, files);
    await uploadAll(batch, files);
    const refused = await textApi.post(STUDIES, withRawText(place(commitBody(batch, files)), rawJson));
    expect(refused.status).toBe(400);
    const error = apiErrorSchema.parse(await refused.json()).error;
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(mentions);

    const committed = await textApi.post(STUDIES, commitBody(batch, files));
    expect(committed.status).toBe(201);
    expect(studySchema.parse(await committed.json()).elements).toHaveLength(2);
  });

  it("refuses a batch whose file name holds an unpaired surrogate, writing nothing, and takes a good one after", async () => {
    const body = { files: [{ name: PLACEHOLDER, size: 2048, type: "image/png" }] };
    const batchesBefore = (await textApi.storage.records.list("batches", "")).length;
    const refused = await textApi.post(BATCH, withRawText(body, String.raw`"scan\ud800.png"`));
    expect(refused.status).toBe(400);
    const error = apiErrorSchema.parse(await refused.json()).error;
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/name contains malformed text/);
    expect(error.files?.map((f) => f.index)).toEqual([0]);
    expect(await textApi.storage.records.list("batches", "")).toHaveLength(batchesBefore);

    await createBatch(textApi, [pngFile("scan.png")]);
    expect(await textApi.storage.records.list("batches", "")).toHaveLength(batchesBefore + 1);
  });
});
