import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import { BROWSER_CONTAINERS } from "@study-uploader/shared";
import { UserDelegationSigner, sharedKeySigner, type SasSigner } from "./sas-signer.js";

/**
 * Fixed layout, one container per job: `images` takes uploads (the only one any upload URL names), `committed`
 * holds the copies that studies show, then batch plans, study records, and the newest-first index of studies.
 */
export type ContainerNames = { images: string; committed: string; batches: string; studies: string; index: string };

export function containerNames(prefix: string): ContainerNames {
  return {
    images: `${prefix}${BROWSER_CONTAINERS.uploads}`,
    committed: `${prefix}${BROWSER_CONTAINERS.committed}`,
    batches: `${prefix}batches`,
    studies: `${prefix}studies`,
    index: `${prefix}index`,
  };
}

/**
 * Either an account key (in a connection string) or an Entra identity with the account's blob endpoint. Without a
 * credential it is DefaultAzureCredential: managed identity in Azure, `az login` on a workstation.
 */
export type StorageAccess = { connectionString: string } | { accountUrl: string; credential?: TokenCredential };

const PIPELINE_OPTIONS: StoragePipelineOptions = {
  // Fail fast enough that a request answers 503 in seconds when storage is down, not after a minute.
  retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1000, tryTimeoutInMs: 30_000 },
};

/** The SDK client for the account and the signer its credential allows: the account key or a user delegation key. */
export function connectToAccount(access: StorageAccess): { service: BlobServiceClient; signer: SasSigner } {
  if ("connectionString" in access) {
    const service = BlobServiceClient.fromConnectionString(access.connectionString, PIPELINE_OPTIONS);
    if (!(service.credential instanceof StorageSharedKeyCredential)) {
      throw new Error("AZURE_STORAGE_CONNECTION_STRING must contain an AccountName and AccountKey");
    }
    return { service, signer: sharedKeySigner(service.credential) };
  }
  const credential = access.credential ?? new DefaultAzureCredential();
  const service = new BlobServiceClient(access.accountUrl, credential, PIPELINE_OPTIONS);
  return { service, signer: new UserDelegationSigner(service) };
}

/** The account as a whole: where it is, its containers, the CORS rules browsers need, and whether it answers. */
export class StorageAccount {
  constructor(
    private readonly service: BlobServiceClient,
    readonly containers: ContainerNames,
  ) {}

  get url(): string {
    return this.service.url.replace(/\/+$/, "");
  }

  async ensureContainers(): Promise<void> {
    await Promise.all(
      Object.values(this.containers).map((name) => this.service.getContainerClient(name).createIfNotExists()),
    );
  }

  /**
   * Lets browsers at these origins PUT straight to storage. Replaces the account's CORS rules. Put Block List of a
   * file sent in blocks carries the file's MD5 in x-ms-blob-content-md5.
   */
  async configureCors(origins: string[]): Promise<void> {
    await this.service.setProperties({
      cors: [
        {
          allowedOrigins: origins.join(","),
          allowedMethods: "PUT,GET,HEAD,OPTIONS",
          allowedHeaders:
            "content-type,content-md5,x-ms-blob-type,x-ms-blob-content-type,x-ms-blob-content-md5,x-ms-client-request-id," +
            "x-ms-version",
          exposedHeaders: "x-ms-error-code,x-ms-request-id,content-md5,etag",
          maxAgeInSeconds: 3600,
        },
      ],
    });
  }

  async ping(abortSignal?: AbortSignal): Promise<void> {
    await this.service.getContainerClient(this.containers.studies).getProperties({ abortSignal });
  }
}
