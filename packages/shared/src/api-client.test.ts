import { describe, expect, it, vi } from "vitest";
import { ApiRequestError, createApiClient } from "./api-client.js";

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("createApiClient", () => {
  it("parses a successful answer with the shared schema", async () => {
    const fetchImpl = vi.fn(async () =>
      jsonResponse(200, {
        maxFileBytes: 10,
        maxFiles: 2,
        allowedTypes: ["image/png"],
        concurrency: 6,
        sasTtlSeconds: 600,
      }),
    );
    const config = await createApiClient("", fetchImpl).getConfig();
    expect(config.maxFiles).toBe(2);
    expect(fetchImpl).toHaveBeenCalledWith("/api/config", expect.objectContaining({ method: "GET" }));
  });

  it("posts JSON bodies", async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      jsonResponse(200, { expiresAt: "2030-01-01T00:00:00.000Z", files: [] }),
    );
    await createApiClient("http://api", fetchImpl).refreshBatch("abc", [1, 2]);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe("http://api/api/batches/abc/refresh");
    expect(init?.method).toBe("POST");
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(init?.body as string)).toEqual({ indexes: [1, 2] });
  });

  it("turns an {error} body into an ApiRequestError with code, message and files", async () => {
    const body = {
      error: {
        code: "verification_failed",
        message: "Not committed",
        files: [{ index: 1, problem: "not a PNG image" }],
      },
    };
    const client = createApiClient("", async () => jsonResponse(422, body));
    const error = await client.commitStudy({ batchId: "x", title: "t", elements: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({
      status: 422,
      code: "verification_failed",
      message: "Not committed",
      files: body.error.files,
    });
  });

  it("reports an unreachable server and an unreadable answer as typed errors", async () => {
    const offline = createApiClient("", async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(offline.listStudies()).rejects.toMatchObject({ status: 0, code: "network_error" });
    const garbled = createApiClient("", async () => new Response("<html>", { status: 502 }));
    await expect(garbled.listStudies()).rejects.toMatchObject({ status: 502, code: "invalid_response" });
    const wrongShape = createApiClient("", async () => jsonResponse(200, { nope: true }));
    await expect(wrongShape.listStudies()).rejects.toMatchObject({ code: "invalid_response" });
  });

  it("sends a bearer token only when the provider has one", async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      jsonResponse(200, { studies: [], nextCursor: null }),
    );
    await createApiClient("", fetchImpl, async () => "header.payload.signature").listStudies();
    await createApiClient("", fetchImpl).listStudies();
    expect(new Headers(fetchImpl.mock.calls[0]![1]?.headers).get("authorization")).toBe(
      "Bearer header.payload.signature",
    );
    expect(new Headers(fetchImpl.mock.calls[1]![1]?.headers).has("authorization")).toBe(false);
  });

  it("adds files to a batch with a POST and parses the upload targets, root-relative URLs included", async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      jsonResponse(201, {
        expiresAt: "2030-01-01T00:00:00.000Z",
        files: [{ index: 2, uploadUrl: "/storage/images/b/2?sig=x", headers: { "x-ms-blob-type": "BlockBlob" } }],
      }),
    );
    const files = [{ name: "c.png", size: 10, type: "image/png" as const }];
    const added = await createApiClient("http://api", fetchImpl).addBatchFiles("b/1", { files });
    expect(added.files[0]).toMatchObject({ index: 2, uploadUrl: "/storage/images/b/2?sig=x" });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe("http://api/api/batches/b%2F1/files");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(init?.body as string)).toEqual({ files });
  });

  it("removes a file with a DELETE that answers 204 without a body, and reports a refusal", async () => {
    const fetchImpl = vi.fn(
      async (_url: string | URL | Request, _init?: RequestInit) => new Response(null, { status: 204 }),
    );
    await expect(createApiClient("", fetchImpl).removeBatchFile("abc", 3)).resolves.toBeUndefined();
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe("/api/batches/abc/files/3");
    expect(init?.method).toBe("DELETE");
    expect(init?.body).toBeUndefined();
    const committed = createApiClient("", async () =>
      jsonResponse(409, { error: { code: "batch_committed", message: "already a study" } }),
    );
    await expect(committed.removeBatchFile("abc", 3)).rejects.toMatchObject({ status: 409, code: "batch_committed" });
  });
});
