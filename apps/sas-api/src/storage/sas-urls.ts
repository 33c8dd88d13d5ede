import {
  BlobSASPermissions,
  ContainerSASPermissions,
  SASProtocol,
  type BlobSASSignatureValues,
  type ContainerClient,
} from "@azure/storage-blob";
import type { ImageType } from "@study-uploader/shared";
import { blobUrl } from "./blob-requests.js";
import { SAS_START_SKEW_MS, type ReadUrlValidity } from "./read-url-window.js";
import type { SasSigner } from "./sas-signer.js";

/** Where an image lives: uploads, or the copies a study shows (older studies show their uploads). */
export type ImageLocation = "staged" | "committed";

/**
 * The server's own container SASes are signed for this long and signed again once less than half is left, so
 * one serves every call of a commit, and no call gets one that expires before storage has answered it.
 */
const SERVER_SAS_TTL_MS = 10 * 60 * 1000;

/**
 * What the server itself does through a container SAS, which it only ever sends to storage: read (uploads, to
 * check them and as the source of copies; records), create (copies, never overwriting one) or write (the block
 * copy of a large file: Azurite, and Azure before service version 2026-04-06, require "w" for Put Block From URL
 * and Put Block List; the final Put Block List is If-None-Match: *, so nothing committed is ever overwritten).
 */
export type ServerPermission = "r" | "c" | "w";

export interface SasUrlOptions {
  images: ContainerClient;
  committed: ContainerClient;
  signer: SasSigner;
  /** The account's blob endpoint, without a trailing slash. */
  accountUrl: string;
  /**
   * Origin (and path prefix) that SAS URLs should name instead of the account endpoint, e.g. a proxy or CDN; or a
   * root-relative path ("/storage") when storage is served on the app's own origin: URLs are then paths too.
   */
  publicBlobEndpoint?: string;
}

/**
 * `attachment` under the original name (RFC 6266): an ASCII fallback for old clients, and the exact name as
 * UTF-8 (RFC 5987). Names were checked by the contract (no controls); quotes and backslashes become `_`.
 */
function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const utf8 = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** Signed URLs that let a browser upload or show one image blob straight from storage, and nothing more. */
export class SasUrls {
  readonly signer: SasSigner;
  private readonly containers: Record<ImageLocation, ContainerClient>;
  private readonly accountUrl: string;
  private readonly publicBlobEndpoint: string | undefined;
  private readonly isLocalEmulator: boolean;
  private readonly serverSasCache = new Map<string, { sas: Promise<string>; renewAt: number }>();

  constructor(options: SasUrlOptions) {
    this.containers = { staged: options.images, committed: options.committed };
    this.signer = options.signer;
    this.accountUrl = options.accountUrl;
    this.publicBlobEndpoint = options.publicBlobEndpoint?.replace(/\/+$/, "");
    this.isLocalEmulator = new URL(options.accountUrl).protocol === "http:";
  }

  /**
   * The origin browsers upload to and load images from (the public endpoint's when one is set); null when that
   * endpoint is a path, i.e. the app's own origin.
   */
  get publicOrigin(): string | null {
    const endpoint = this.publicBlobEndpoint ?? this.accountUrl;
    return endpoint.startsWith("/") ? null : new URL(endpoint).origin;
  }

  /**
   * A URL that can write this one image blob and nothing else (no read, list or delete, no other blob), until
   * `expiresOn`. `single`: create-only ("c"), so it can never overwrite. `blocks`: Put Block and Put Block List
   * need "w" besides "c" (Azurite, and Azure before service version 2026-04-06, refuse them without it), so it
   * could also overwrite this blob. That is acceptable: an upload is untrusted until the commit verifies it, and
   * the commit copies exactly the version (ETag) it verified into a container no upload URL names.
   */
  async uploadUrl(blobName: string, expiresOn: Date, mode: "single" | "blocks" = "single"): Promise<string> {
    const sas = await this.sign(this.containers.staged.containerName, {
      blobName,
      permissions: BlobSASPermissions.parse(mode === "blocks" ? "cw" : "c"),
      expiresOn,
    });
    return this.publicUrl("staged", blobName, sas);
  }

  /**
   * A short-lived read-only URL for a study's image, served with its verified type and a private cache control:
   * shared caches never keep a researcher's images, whatever the blob's own headers say. Within one window of
   * `validity` the URL is the same string each time (see readUrlValidity), so the browser's cache serves repeats.
   */
  async readUrl(
    location: ImageLocation,
    blobName: string,
    type: ImageType,
    validity: ReadUrlValidity,
    /** Served as a download under this file name instead of shown inline. */
    downloadAs?: string,
  ): Promise<string> {
    const sas = await this.sign(this.containers[location].containerName, {
      blobName,
      permissions: BlobSASPermissions.parse("r"),
      startsOn: validity.startsOn,
      expiresOn: validity.expiresOn,
      contentType: type,
      contentDisposition: downloadAs === undefined ? "inline" : attachmentDisposition(downloadAs),
      cacheControl: `private, max-age=${validity.maxAgeSeconds}, immutable`,
    });
    return this.publicUrl(location, blobName, sas);
  }

  /** Lets storage read one upload for a server-side copy: the account's own endpoint, read-only, minutes long. */
  async copySourceUrl(blobName: string, location: ImageLocation = "staged"): Promise<string> {
    return this.serverUrl(this.containers[location], "r", blobName);
  }

  /**
   * A URL for the server's own call to one blob: the account's endpoint and a container SAS that allows only
   * `permission`, signed once for many calls and never handed out.
   */
  async serverUrl(container: ContainerClient, permission: ServerPermission, blobName: string): Promise<string> {
    return `${blobUrl(container.url, blobName)}?${await this.serverSas(container.containerName, permission)}`;
  }

  private serverSas(containerName: string, permission: ServerPermission): Promise<string> {
    const key = `${permission}:${containerName}`;
    const now = Date.now();
    const cached = this.serverSasCache.get(key);
    if (cached && cached.renewAt > now) return cached.sas;
    const expiresOn = new Date(now + SERVER_SAS_TTL_MS);
    const sas = this.sign(containerName, { permissions: ContainerSASPermissions.parse(permission), expiresOn });
    this.serverSasCache.set(key, { sas, renewAt: now + SERVER_SAS_TTL_MS / 2 });
    // A failed signing (no delegation key) is not kept: the next call tries again.
    void sas.catch(() => {
      if (this.serverSasCache.get(key)?.sas === sas) this.serverSasCache.delete(key);
    });
    return sas;
  }

  private publicUrl(location: ImageLocation, blobName: string, sas: string): string {
    const url = this.containers[location].getBlobClient(blobName).url;
    const publicUrl = this.publicBlobEndpoint ? this.publicBlobEndpoint + url.slice(this.accountUrl.length) : url;
    return `${publicUrl}?${sas}`;
  }

  private sign(
    containerName: string,
    values: Omit<BlobSASSignatureValues, "containerName" | "protocol"> & { expiresOn: Date },
  ): Promise<string> {
    return this.signer.sign({
      ...values,
      containerName,
      startsOn: values.startsOn ?? new Date(Date.now() - SAS_START_SKEW_MS),
      // The emulator is plain http; a real account only ever takes the SAS over https.
      protocol: this.isLocalEmulator ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    });
  }
}
