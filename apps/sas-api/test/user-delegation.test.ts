import { randomBytes, randomUUID } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { BlobSASPermissions, BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../src/azurite.js";
import { BlobStorage } from "../src/storage/blob-storage.js";
import { UserDelegationSigner } from "../src/storage/sas-signer.js";
import { commitBody, createBatch, pngFile, startTestApi, uploadAll, type TestApi } from "./test-api.js";

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Stands in for DefaultAzureCredential: an Entra-shaped access token for storage. Azurite's `--oauth basic`
 * checks issuer, audience and lifetime but not the signature (see its BlobTokenAuthenticator).
 */
class FakeEntraCredential implements TokenCredential {
  tokensIssued = 0;
  private readonly tenant = randomUUID();
  private readonly objectId = randomUUID();

  async getToken(): Promise<AccessToken> {
    this.tokensIssued += 1;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: "https://storage.azure.com",
      iss: `https://sts.windows.net/${this.tenant}/`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      oid: this.objectId,
      tid: this.tenant,
      sub: this.objectId,
    };
    const token = `${base64url({ alg: "RS256", typ: "JWT" })}.${base64url(claims)}.${randomBytes(32).toString("base64url")}`;
    return { token, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

let azurite: RunningAzurite;
let storage: BlobStorage;
let api: TestApi;
const credential = new FakeEntraCredential();

beforeAll(async () => {
  azurite = await startAzurite({ port: 0, tls: inject("tls") });
  storage = new BlobStorage({ accountUrl: azurite.blobEndpoint, credential, containerPrefix: "ud-" });
  api = await startTestApi({}, { storage });
});
afterAll(async () => {
  await api?.close();
  await azurite?.stop();
});

describe("with an Entra identity instead of an account key", () => {
  it("signs user delegation SAS URLs that Azurite accepts, end to end", async () => {
    expect(storage.sas.signer).toBeInstanceOf(UserDelegationSigner);
    const files = [pngFile("a.png"), pngFile("b.png")];
    const batch = await createBatch(api, files);
    const url = new URL(batch.files[0]!.uploadUrl);
    expect(url.protocol).toBe("https:");
    // User delegation SAS carry the key's object id and tenant; a service SAS has neither.
    expect(url.searchParams.get("skoid")).toBeTruthy();
    expect(url.searchParams.get("sktid")).toBeTruthy();
    expect(url.searchParams.get("sp")).toBe("c");

    await uploadAll(batch, files);
    const res = await api.post("/api/studies", commitBody(batch, files));
    expect(res.status).toBe(201);
    const study = (await res.json()) as { elements: { url: string }[] };
    const image = await fetch(study.elements[0]!.url);
    expect(image.status).toBe(200);
    expect(new URL(study.elements[0]!.url).searchParams.get("skoid")).toBeTruthy();
  });

  it("caches the delegation key and renews it before it expires", async () => {
    let now = Date.now();
    const signer = new UserDelegationSigner(new BlobServiceClient(azurite.blobEndpoint, credential), {
      keyLifetimeMs: 2 * 3600_000,
      renewMarginMs: 3600_000,
      now: () => now,
    });
    const sign = () =>
      signer.sign({
        containerName: "ud-images",
        blobName: "x",
        permissions: BlobSASPermissions.parse("r"),
        expiresOn: new Date(now + 600_000),
      });
    await Promise.all([sign(), sign(), sign()]);
    expect(signer.keysFetched).toBe(1);
    now += 30 * 60_000;
    await sign();
    expect(signer.keysFetched).toBe(1);
    // Less than the renewal margin left: the next signature gets a fresh key.
    now += 45 * 60_000;
    await sign();
    expect(signer.keysFetched).toBe(2);
  });

  it("asks for a key long enough for a long-lived SAS, once, instead of one per signature", async () => {
    const now = Date.now();
    const signer = new UserDelegationSigner(new BlobServiceClient(azurite.blobEndpoint, credential), {
      keyLifetimeMs: 6 * 3600_000,
      now: () => now,
    });
    const dayLong = () =>
      signer.sign({
        containerName: "ud-images",
        blobName: "x",
        permissions: BlobSASPermissions.parse("r"),
        expiresOn: new Date(now + 24 * 3600_000),
      });
    const sas = new URLSearchParams(await dayLong());
    await dayLong();
    await dayLong();
    expect(signer.keysFetched).toBe(1);
    // The key that signed it (ske) lasts at least as long as the SAS (se).
    expect(Date.parse(sas.get("ske")!)).toBeGreaterThanOrEqual(Date.parse(sas.get("se")!));
  });
});
