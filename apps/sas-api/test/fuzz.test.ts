import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import {
  IMAGE_TYPES,
  addBatchFilesResponseSchema,
  batchStatusSchema,
  apiErrorSchema,
  createBatchResponseSchema,
  healthSchema,
  refreshBatchResponseSchema,
  studyListSchema,
  studySchema,
  uploadConfigSchema,
} from "@study-uploader/shared";
import { NO_RATE_LIMITS, startTestApi, type TestApi } from "./test-api.js";
import { secretAuth, tokenFor } from "./tokens.js";

/** One generated request and the schema a success would have to match. */
interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  authorization?: string;
}

const SUCCESS_SCHEMAS: [RegExp, ZodType][] = [
  [/^\/api\/batches$/, createBatchResponseSchema],
  [/^\/api\/batches\/[^/]+\/refresh$/, refreshBatchResponseSchema],
  [/^\/api\/batches\/[^/]+\/files$/, addBatchFilesResponseSchema],
  [/^\/api\/batches\/[^/]+$/, batchStatusSchema],
  [/^\/api\/studies(\?.*)?$/, studySchema.or(studyListSchema)],
  [/^\/api\/studies\/[^/]+$/, studySchema],
  [/^\/api\/health$/, healthSchema],
  [/^\/api\/config$/, uploadConfigSchema],
];

const printable = fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
/** Code units that make text malformed or deceptive: unpaired surrogates, noncharacters, bidi controls. */
const malformedUnit = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom("\ude00\ud83d", "\ufffe", "\uffff", "\u202a", "\u202e", "\u2066", "\u2069", "\u0085"),
);
// fast-check's "binary" strings hold whole code points only, so malformed text is mixed in by hand.
const malformedText = fc
  .array(fc.oneof(malformedUnit, fc.string({ maxLength: 8, unit: "binary" })), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(""));
const hostileText = fc.oneof(
  fc.string({ maxLength: 300, unit: "binary" }),
  malformedText,
  fc.constantFrom(
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "a\u0000b",
    "\u202egnp.exe",
    "%00",
    " ",
    "CON",
    "x".repeat(5000),
    "\ud800",
    "\udc00",
    "scan\ud83d.png",
  ),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** The bytes a careless encoder writes for an unpaired surrogate (ED A0 80 for U+D800): invalid UTF-8. */
const surrogateBytes = (unit: number) => [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
/** encodeURIComponent, except that an unpaired surrogate, which it refuses, goes into the path as those bytes. */
const percentEncode = (text: string) =>
  text
    .split(/([\ud800-\udfff])/u)
    .map((part, i) =>
      i % 2 === 0
        ? encodeURIComponent(part)
        : surrogateBytes(part.charCodeAt(0))
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join(""),
    )
    .join("");

const idSegment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{24}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
  hostileText.map(percentEncode),
  fc.constantFrom("..", "%2e%2e%2f", "%2F..%2F", "a".repeat(2000), "%ED%A0%80", "%C0%AF", "%FF%FE", "%E2%80%AE"),
);

/** The list's query string: pages and cursors, well-formed, hostile, repeated and unknown. */
const queryValue = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom("", "1.5", "1e2", "0x10", "050", " 5", "NaN"),
  fc.base64String({ maxLength: 40 }).map((s) => s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "")),
  hostileText.map(percentEncode),
);
const listQuery = fc
  .array(fc.tuple(fc.constantFrom("limit", "cursor", "limit", "cursor", "offset", "LIMIT"), queryValue), {
    maxLength: 3,
  })
  .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join("&"));

const fileSpec = fc.record(
  {
    name: fc.oneof(fc.constant("scan.png"), hostileText, anyJson),
    size: fc.oneof(fc.constant(1024), fc.integer(), fc.double(), fc.constant(1e300), anyJson),
    type: fc.oneof(fc.constantFrom(...IMAGE_TYPES, "text/html", "image/svg+xml", ""), anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const validFileSpec = fc.record({
  name: fc.constantFrom("scan.png", "Scan 01 (left).JPG", "résumé.webp"),
  size: fc.integer({ min: 1, max: 1_000_000 }),
  type: fc.constantFrom(...IMAGE_TYPES),
});
const batchBody = fc.record(
  {
    files: fc.oneof(
      fc.array(validFileSpec, { minLength: 1, maxLength: 3 }),
      fc.array(fc.oneof(validFileSpec, fileSpec), { maxLength: 60 }),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
const refreshBody = fc.record(
  { indexes: fc.oneof(fc.array(fc.integer(), { maxLength: 20 }), anyJson) },
  { requiredKeys: [] },
);
/** A file index in a path: numbers, and what only looks like one. */
const indexSegment = fc.oneof(
  fc.nat(60).map(String),
  fc.integer().map(String),
  fc.constantFrom("-1", "1.5", "1e3", "01", "0x1", "abc", "", "99999999999999999999", "%31", "1%00"),
  hostileText.map(percentEncode),
);
const commitBody = fc.record(
  {
    batchId: fc.oneof(idSegment, anyJson),
    title: fc.oneof(fc.constant("A study"), hostileText, anyJson),
    description: fc.oneof(hostileText, anyJson),
    elements: fc.oneof(
      fc.array(
        fc.record(
          {
            index: fc.oneof(fc.nat(60), fc.integer(), anyJson),
            label: fc.oneof(fc.constant("label"), hostileText),
            md5: fc.oneof(fc.constant("1B2M2Y8AsgTpgAmY7PhCfg=="), printable),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 60 },
      ),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
const rawBody = (structured: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: structured.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: "binary" }) },
    { weight: 1, arbitrary: fc.constantFrom("", "{", '{"files":[', "null", "[]", '"x"', "{}".repeat(1000)) },
  );
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=utf-8",
      "application/merge-patch+json",
      "",
    ),
  },
);

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record({ method: fc.constant("POST"), path: fc.constant("/api/batches"), body: rawBody(batchBody), contentType }),
  fc.record({
    method: fc.constant("POST"),
    path: idSegment.map((id) => `/api/batches/${id}/refresh`),
    body: rawBody(refreshBody),
    contentType,
  }),
  fc.record({
    method: fc.constant("POST"),
    path: idSegment.map((id) => `/api/batches/${id}/files`),
    body: rawBody(batchBody),
    contentType,
  }),
  fc.record({
    method: fc.constant("DELETE"),
    path: fc.tuple(idSegment, indexSegment).map(([id, index]) => `/api/batches/${id}/files/${index}`),
  }),
  fc.record({ method: fc.constantFrom("GET", "DELETE"), path: idSegment.map((id) => `/api/batches/${id}`) }),
  fc.record({ method: fc.constant("POST"), path: fc.constant("/api/studies"), body: rawBody(commitBody), contentType }),
  fc.record({ method: fc.constant("DELETE"), path: idSegment.map((id) => `/api/studies/${id}`) }),
  fc.record({ method: fc.constant("GET"), path: idSegment.map((id) => `/api/studies/${id}`) }),
  fc.record({ method: fc.constant("GET"), path: fc.constantFrom("/api/studies", "/api/health", "/api/config") }),
  fc.record({ method: fc.constant("GET"), path: listQuery.map((query) => `/api/studies?${query}`) }),
  fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
    path: fc.array(idSegment, { minLength: 1, maxLength: 4 }).map((parts) => `/api/${parts.join("/")}`),
    body: rawBody(anyJson),
    contentType,
  }),
);

async function send(api: TestApi, req: FuzzRequest, authorization: string | undefined) {
  const headers: Record<string, string> = {};
  if (req.contentType !== undefined) headers["content-type"] = req.contentType;
  if (authorization !== undefined) headers.authorization = authorization;
  const hasBody = req.method !== "GET" && req.body !== undefined;
  return fetch(api.baseUrl + req.path, { method: req.method, headers, body: hasBody ? req.body : undefined });
}

/** Checks the one invariant: no 5xx, and every body is the error shape or the route's success shape. */
async function expectWellFormed(req: FuzzRequest, res: Response, successes: { batches: number }) {
  expect(res.status, `${req.method} ${req.path}`).toBeLessThan(500);
  if (res.status === 204) {
    // Only deletions answer without a body (a file's index may arrive percent-encoded: %31 is 1).
    expect(`${req.method} ${decodeURIComponent(req.path)}`).toMatch(
      /^DELETE \/api\/(batches\/[^/]+(\/files\/\d+)?|studies\/[^/]+)$/,
    );
    expect(await res.text()).toBe("");
    return;
  }
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body: unknown = await res.json();
  if (res.status >= 400) {
    apiErrorSchema.parse(body);
    return;
  }
  const schema = SUCCESS_SCHEMAS.find(([pattern]) => pattern.test(req.path))?.[1];
  expect(schema, `success on ${req.method} ${req.path}`).toBeDefined();
  schema!.parse(body);
  if (req.method === "POST" && req.path === "/api/batches") successes.batches += 1;
}

async function expectStorageHolds(api: TestApi, batches: number) {
  expect(await api.storage.records.list("batches", "")).toHaveLength(batches);
  expect(await api.storage.records.list("studies", "")).toEqual([]);
  expect(await api.storage.images.list("")).toEqual([]);
}

const noRateLimits = { rateLimits: NO_RATE_LIMITS };

describe("generated hostile requests", () => {
  let secured: TestApi;
  let open: TestApi;
  let validToken: string;
  let badTokens: string[];
  beforeAll(async () => {
    secured = await startTestApi({}, { config: { auth: secretAuth, ...noRateLimits } });
    open = await startTestApi({}, { config: noRateLimits });
    validToken = await tokenFor("fuzzer");
    badTokens = await Promise.all([
      tokenFor("fuzzer", { exp: 1 }),
      tokenFor("fuzzer", { aud: "api://other" }),
      tokenFor("fuzzer", {}, "a-different-secret-of-at-least-32-chars!"),
      tokenFor(undefined),
    ]);
  });
  afterAll(async () => {
    await secured.close();
    await open.close();
  });

  it("never get a 5xx or a malformed body from the secured API, and write only for valid requests", async () => {
    const authorization = fc.oneof(
      { weight: 5, arbitrary: fc.constant("valid") },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: printable },
      { weight: 1, arbitrary: printable.map((s) => `Bearer ${s}`) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.base64String({ maxLength: 40 }), { minLength: 3, maxLength: 3 })
          .map((p) => `Bearer ${p.join(".")}`),
      },
      { weight: 2, arbitrary: fc.nat(3).map((i) => `Bearer ${badTokens[i]}`) },
    );
    const successes = { batches: 0 };
    let unauthorized = 0;
    await fc.assert(
      fc.asyncProperty(request, authorization, async (req, auth) => {
        const res = await send(secured, req, auth === "valid" ? `Bearer ${validToken}` : auth);
        if (res.status === 401) unauthorized += 1;
        if (auth !== "valid" && res.status < 400) {
          // Only the public routes answer without a valid token.
          expect(req.path).toMatch(/^\/api\/(health|config)$/);
        }
        await expectWellFormed(req, res, successes);
      }),
      { numRuns: 1200 },
    );
    // The generators reach both ends: refusals at the door and valid batches that do get written.
    expect(unauthorized).toBeGreaterThan(50);
    expect(successes.batches).toBeGreaterThan(0);
    await expectStorageHolds(secured, successes.batches);
  });

  it("never get a 5xx or a malformed body when they add files to or remove files from a real batch", async () => {
    // An API of its own, so the other runs' count of written batches stays exact.
    const edited = await startTestApi({}, { config: noRateLimits });
    const created = await edited.post("/api/batches", { files: [{ name: "a.png", size: 10, type: "image/png" }] });
    const { batchId } = createBatchResponseSchema.parse(await created.json());
    const edit: fc.Arbitrary<FuzzRequest> = fc.oneof(
      fc.record({
        method: fc.constant("POST"),
        path: fc.constant(`/api/batches/${batchId}/files`),
        body: rawBody(batchBody),
        contentType,
      }),
      fc.record({ method: fc.constant("DELETE"), path: indexSegment.map((i) => `/api/batches/${batchId}/files/${i}`) }),
    );
    const statuses = new Set<number>();
    try {
      await fc.assert(
        fc.asyncProperty(edit, async (req) => {
          const res = await send(edited, req, undefined);
          statuses.add(res.status);
          await expectWellFormed(req, res, { batches: 0 });
        }),
        { numRuns: 200 },
      );
    } finally {
      await edited.close();
    }
    // Both edits succeed sometimes, and are refused sometimes.
    expect([...statuses]).toEqual(expect.arrayContaining([201, 204, 400, 404]));
  });

  it("never get a 5xx or a malformed body from the open API either", async () => {
    const successes = { batches: 0 };
    await fc.assert(
      fc.asyncProperty(request, fc.option(printable), async (req, auth) => {
        await expectWellFormed(req, await send(open, req, auth ?? undefined), successes);
      }),
      { numRuns: 400 },
    );
    await expectStorageHolds(open, successes.batches);
  });
});
