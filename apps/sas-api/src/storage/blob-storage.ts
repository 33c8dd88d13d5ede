import type { TokenCredential } from "@azure/identity";
import {
  BlobSASPermissions,
  BlobServiceClient,
  RestError,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobSASSignatureValues,
  type ContainerClient,
  type StoragePipelineOptions,
} from "@azure/storage-blob";
import { SIGNATURE_BYTES, type ImageType } from "@study-uploader/shared";
import { UserDelegationSigner, sharedKeySigner, type SasSigner } from "./sas-signer.js";

/** Fixed layout: images, batch plans and study records each have their own container. */
export interface ContainerNames {
  images: string;
  batches: string;
  studies: string;
}

export function containerNames(prefix: string): ContainerNames {
  return { images: `${prefix}images`, batches: `${prefix}batches`, studies: `${prefix}studies` };
}

/** What storage knows of one uploaded image: enough to verify it without reading it all. */
export interface StagedBlobInfo {
  size: number;
  /** Base64 MD5 that storage computed (or was sent and checked) on upload; null when it has none. */
  md5: string | null;
  /** The Content-Type the uploader sent: not trusted, replaced by the verified type when it differs. */
  contentType: string | null;
  /** The blob's first bytes, for the image signature check. */
  head: Uint8Array;
}

/** The body of a download, read to the end (no body means no bytes). */
async function readBody(read: { readableStreamBody?: NodeJS.ReadableStream }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of read.readableStreamBody ?? [])
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Either an account key (in a connection string) or an Entra identity with the account's blob endpoint. */
export type StorageAccess = { connectionString: string } | { accountUrl: string; credential: TokenCredential };

export type StorageOptions = StorageAccess & {
  containerPrefix: string;
  /** Origin (and path prefix) that SAS URLs should name instead of the account endpoint, e.g. a proxy or CDN. */
  publicBlobEndpoint?: string;
};

/** Clock-skew allowance: a SAS is valid from a little before the server thinks it is now. */
const SAS_START_SKEW_MS = 15 * 60 * 1000;

const PIPELINE_OPTIONS: StoragePipelineOptions = {
  // Fail fast enough that a request answers 503 in seconds when storage is down, not after a minute.
  retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1000, tryTimeoutInMs: 30_000 },
};

export function isRestStatus(error: unknown, status: number): boolean {
  return error instanceof RestError && error.statusCode === status;
}

/**
 * The one module that talks to Azure Blob Storage: SAS signing, blob inspection and JSON records.
 * Routes see business operations; they never build URLs or call the SDK.
 */
export class BlobStorage {
  readonly containers: ContainerNames;
  readonly isLocalEmulator: boolean;
  readonly signer: SasSigner;
  private readonly service: BlobServiceClient;
  private readonly publicBlobEndpoint: string | undefined;

  constructor(options: StorageOptions) {
    if ("connectionString" in options) {
      this.service = BlobServiceClient.fromConnectionString(options.connectionString, PIPELINE_OPTIONS);
      if (!(this.service.credential instanceof StorageSharedKeyCredential)) {
        throw new Error("AZURE_STORAGE_CONNECTION_STRING must contain an AccountName and AccountKey");
      }
      this.signer = sharedKeySigner(this.service.credential);
    } else {
      this.service = new BlobServiceClient(options.accountUrl, options.credential, PIPELINE_OPTIONS);
      this.signer = new UserDelegationSigner(this.service);
    }
    this.containers = containerNames(options.containerPrefix);
    this.isLocalEmulator = new URL(this.service.url).protocol === "http:";
    this.publicBlobEndpoint = options.publicBlobEndpoint?.replace(/\/+$/, "");
  }

  get accountUrl(): string {
    return this.service.url.replace(/\/+$/, "");
  }

  /** The origin browsers upload to and load images from (the public endpoint's when one is set). */
  get publicOrigin(): string {
    return new URL(this.publicBlobEndpoint ?? this.accountUrl).origin;
  }

  async ensureContainers(): Promise<void> {
    await Promise.all(
      Object.values(this.containers).map((name) => this.service.getContainerClient(name).createIfNotExists()),
    );
  }

  /** Lets browsers at these origins PUT straight to storage. Replaces the account's CORS rules. */
  async configureCors(origins: string[]): Promise<void> {
    await this.service.setProperties({
      cors: [
        {
          allowedOrigins: origins.join(","),
          allowedMethods: "PUT,GET,HEAD,OPTIONS",
          allowedHeaders:
            "content-type,content-md5,x-ms-blob-type,x-ms-blob-content-type,x-ms-client-request-id,x-ms-version",
          exposedHeaders: "x-ms-error-code,x-ms-request-id,content-md5,etag",
          maxAgeInSeconds: 3600,
        },
      ],
    });
  }

  async ping(abortSignal?: AbortSignal): Promise<void> {
    await this.service.getContainerClient(this.containers.studies).getProperties({ abortSignal });
  }

  private blobUrl(container: string, blobName: string, sas: string): string {
    const url = this.service.getContainerClient(container).getBlobClient(blobName).url;
    const publicUrl = this.publicBlobEndpoint ? this.publicBlobEndpoint + url.slice(this.accountUrl.length) : url;
    return `${publicUrl}?${sas}`;
  }

  private sign(values: Omit<BlobSASSignatureValues, "startsOn" | "protocol"> & { expiresOn: Date }): Promise<string> {
    return this.signer.sign({
      ...values,
      startsOn: new Date(Date.now() - SAS_START_SKEW_MS),
      // The emulator is plain http; a real account only ever takes the SAS over https.
      protocol: this.isLocalEmulator ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    });
  }

  /**
   * A URL that can create this one image blob and nothing else: create-only ("c"), so it can never
   * overwrite, read, list or delete, and it stops working at `expiresOn`.
   */
  async uploadUrl(blobName: string, expiresOn: Date): Promise<string> {
    const container = this.containers.images;
    const sas = await this.sign({
      containerName: container,
      blobName,
      permissions: BlobSASPermissions.parse("c"),
      expiresOn,
    });
    return this.blobUrl(container, blobName, sas);
  }

  /** A short-lived read-only URL for a committed image, served with its verified type. */
  async readUrl(blobName: string, type: ImageType, expiresOn: Date): Promise<string> {
    const container = this.containers.images;
    const sas = await this.sign({
      containerName: container,
      blobName,
      permissions: BlobSASPermissions.parse("r"),
      expiresOn,
      contentType: type,
      contentDisposition: "inline",
    });
    return this.blobUrl(container, blobName, sas);
  }

  /**
   * One ranged read tells all the commit needs: the total size (Content-Range), the whole blob's MD5
   * (x-ms-blob-content-md5, sent for range reads), its stored Content-Type, and the first bytes.
   */
  async inspectImage(blobName: string, headBytes: number = SIGNATURE_BYTES): Promise<StagedBlobInfo | null> {
    const blob = this.images().getBlobClient(blobName);
    try {
      const read = await blob.download(0, headBytes);
      const head = await readBody(read);
      return {
        size: Number(/\/(\d+)$/.exec(read.contentRange ?? "")?.[1] ?? read.contentLength ?? 0),
        md5: read.blobContentMD5 ? Buffer.from(read.blobContentMD5).toString("base64") : null,
        contentType: read.contentType ?? null,
        head: new Uint8Array(head),
      };
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      // An empty blob has no byte 0 to read.
      if (isRestStatus(error, 416)) {
        const props = await blob.getProperties();
        const md5 = props.contentMD5 ? Buffer.from(props.contentMD5).toString("base64") : null;
        return { size: props.contentLength ?? 0, md5, contentType: props.contentType ?? null, head: new Uint8Array() };
      }
      throw error;
    }
  }

  async imageExists(blobName: string): Promise<boolean> {
    return this.images().getBlobClient(blobName).exists();
  }

  /** Removes a staged image that failed verification, so a fresh create-only URL can upload it again. */
  async deleteImage(blobName: string): Promise<void> {
    await this.images().getBlobClient(blobName).deleteIfExists();
  }

  /** Replaces whatever Content-Type the uploader sent with the verified one (keeping storage's MD5). */
  async sealImage(blobName: string, type: ImageType, md5: string): Promise<void> {
    await this.images()
      .getBlobClient(blobName)
      .setHTTPHeaders({
        blobContentType: type,
        blobContentMD5: Buffer.from(md5, "base64"),
        blobContentDisposition: "inline",
        blobCacheControl: "private, max-age=86400, immutable",
      });
  }

  /** Writes a JSON record only if none exists yet (If-None-Match: *); false when one already did. */
  async createRecord(
    container: keyof ContainerNames,
    name: string,
    value: unknown,
    metadata: Record<string, string> = {},
  ): Promise<boolean> {
    const body = JSON.stringify(value);
    try {
      await this.container(container)
        .getBlockBlobClient(name)
        .upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: "*" },
          metadata,
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
      return true;
    } catch (error) {
      if (isRestStatus(error, 409)) return false;
      throw error;
    }
  }

  async readRecord<T>(container: keyof ContainerNames, name: string): Promise<T | null> {
    try {
      // One GET (downloadToBuffer would ask for the blob's properties first).
      const read = await this.container(container).getBlobClient(name).download();
      const buffer = await readBody(read);
      return JSON.parse(buffer.toString("utf8")) as T;
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      throw error;
    }
  }

  async deleteRecord(container: keyof ContainerNames, name: string): Promise<void> {
    await this.container(container).getBlobClient(name).deleteIfExists();
  }

  async recordExists(container: keyof ContainerNames, name: string): Promise<boolean> {
    return this.container(container).getBlobClient(name).exists();
  }

  /** Lists records under a prefix with their metadata, without downloading them. */
  async listRecords(container: keyof ContainerNames, prefix: string) {
    const found: { name: string; metadata: Record<string, string>; createdOn: Date | undefined }[] = [];
    for await (const blob of this.container(container).listBlobsFlat({ prefix, includeMetadata: true })) {
      found.push({ name: blob.name, metadata: blob.metadata ?? {}, createdOn: blob.properties.createdOn });
    }
    return found;
  }

  private images(): ContainerClient {
    return this.container("images");
  }

  private container(which: keyof ContainerNames): ContainerClient {
    return this.service.getContainerClient(this.containers[which]);
  }
}
