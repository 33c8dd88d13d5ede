import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

/**
 * The floor for the API load test: a bare Hono route that answers `POST /api/batches` with JSON shaped like the
 * real answer (a batch id, an expiry, one SAS-like URL and headers per file), with no validation, storage or signing.
 */
const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });

const SAS_QUERY = "sv=2025-11-05&spr=https%2Chttp&se=2026-01-01T00%3A10%3A00Z&sr=b&sp=c&sig=" + "x".repeat(44);

const app = new Hono().post("/api/batches", async (c) => {
  const request = await c.req.json<{ files: Array<{ type: string }> }>();
  const batchId = randomBytes(18).toString("base64url");
  return c.json(
    {
      batchId,
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      files: request.files.map((file, index) => ({
        index,
        uploadUrl: `http://127.0.0.1:10000/devstoreaccount1/study-staging/${batchId}/${index}?${SAS_QUERY}`,
        headers: { "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": file.type },
      })),
    },
    201,
  );
});

serve({ fetch: app.fetch, port: Number(values.port), hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`bare hono http://127.0.0.1:${info.port}\n`);
});
