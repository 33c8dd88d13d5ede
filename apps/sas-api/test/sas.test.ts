import { describe, expect, it } from "vitest";
import { sleep } from "@study-uploader/shared";
import { createBatch, md5Base64, pngFile, putBlob, startTestApi, testApiForSuite } from "./test-api.js";

const api = testApiForSuite();

/** The same signature, pointed at another resource of the account. */
function withPath(uploadUrl: string, pathname: string, extraQuery = ""): string {
  const url = new URL(uploadUrl);
  url.pathname = pathname;
  return url.toString() + extraQuery;
}

describe("an issued upload URL", () => {
  it("creates its own blob and can do nothing else", async () => {
    const file = pngFile("a.png", 4096);
    const batch = await createBatch(api, [file, pngFile("b.png")]);
    const target = batch.files[0]!;

    expect((await putBlob(target, file.bytes)).status).toBe(201);
    // The blob exists, as storage reports to the API's own credentials.
    expect(await api.storage.images.inspect(`${batch.batchId}/0`)).toMatchObject({
      size: 4096,
      md5: md5Base64(file.bytes),
    });

    const read = await fetch(target.uploadUrl);
    expect(read.status).toBe(403);

    const containerPath = new URL(target.uploadUrl).pathname.split("/").slice(0, 3).join("/");
    const list = await fetch(withPath(target.uploadUrl, containerPath, "&restype=container&comp=list"));
    expect(list.status).toBe(403);

    const del = await fetch(target.uploadUrl, { method: "DELETE" });
    expect(del.status).toBe(403);

    const overwrite = await putBlob(target, pngFile("evil.png", 4096).bytes);
    expect([403, 409]).toContain(overwrite.status);
    expect(await api.storage.images.inspect(`${batch.batchId}/0`)).toMatchObject({
      size: 4096,
      md5: md5Base64(file.bytes),
    });

    const otherBlob = withPath(target.uploadUrl, new URL(batch.files[1]!.uploadUrl).pathname);
    expect((await putBlob({ ...target, uploadUrl: otherBlob }, file.bytes)).status).toBe(403);
    const anyBlob = withPath(target.uploadUrl, `${containerPath}/somewhere/else.png`);
    expect((await putBlob({ ...target, uploadUrl: anyBlob }, file.bytes)).status).toBe(403);
    expect(await api.storage.images.inspect(`${batch.batchId}/1`)).toBeNull();
  });

  it("cannot stage blocks (create-only allows a single Put Blob)", async () => {
    const batch = await createBatch(api, [pngFile("a.png")]);
    const res = await fetch(`${batch.files[0]!.uploadUrl}&comp=block&blockid=${btoa("block-0000")}`, {
      method: "PUT",
      body: new Uint8Array(16),
    });
    expect(res.status).toBe(403);
  });

  it("stops working after it expires", async () => {
    const shortLived = await startTestApi({ sasTtlSeconds: 1 });
    try {
      const file = pngFile("late.png");
      const batch = await createBatch(shortLived, [file]);
      await sleep(2500);
      const res = await putBlob(batch.files[0]!, file.bytes);
      expect(res.status).toBe(403);
      expect(["AuthenticationFailed", "AuthorizationFailure"]).toContain(res.headers.get("x-ms-error-code"));
      expect(await shortLived.storage.images.inspect(`${batch.batchId}/0`)).toBeNull();

      // A refresh hands out a working URL for the same blob (from an instance whose URLs last long enough to use:
      // storage reads expiry to the second, so a 1-second URL may have only milliseconds left).
      const longer = await startTestApi({ sasTtlSeconds: 60 }, { containerPrefix: shortLived.containerPrefix });
      try {
        const refreshed = (await (await longer.post(`/api/batches/${batch.batchId}/refresh`, {})).json()) as {
          files: { index: number; uploadUrl: string; headers: Record<string, string> }[];
        };
        expect((await putBlob(refreshed.files[0]!, file.bytes)).status).toBe(201);
      } finally {
        await longer.close();
      }
    } finally {
      await shortLived.close();
    }
  });

  it("is refused by storage when the bytes do not match the Content-MD5", async () => {
    const file = pngFile("a.png");
    const batch = await createBatch(api, [file]);
    const res = await putBlob(batch.files[0]!, file.bytes, md5Base64(Buffer.from("something else")));
    expect(res.status).toBe(400);
    expect(res.headers.get("x-ms-error-code")).toBe("Md5Mismatch");
    expect(await api.storage.images.inspect(`${batch.batchId}/0`)).toBeNull();
  });
});
