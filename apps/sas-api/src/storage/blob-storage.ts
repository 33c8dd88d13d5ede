import { ImageBlobs } from "./image-blobs.js";
import { RecordStore } from "./record-store.js";
import { SasUrls } from "./sas-urls.js";
import { StorageAccount, connectToAccount, containerNames, type StorageAccess } from "./storage-account.js";

export type StorageOptions = StorageAccess & {
  containerPrefix: string;
  /** Origin (and path prefix) that SAS URLs should name instead of the account endpoint, e.g. a proxy or CDN. */
  publicBlobEndpoint?: string;
};

/**
 * Everything the API keeps in Azure Blob Storage, one part per job. Routes and the domain call these parts;
 * they never build URLs or touch the SDK.
 */
export class BlobStorage {
  readonly account: StorageAccount;
  readonly sas: SasUrls;
  readonly images: ImageBlobs;
  readonly records: RecordStore;

  constructor(options: StorageOptions) {
    const { service, signer } = connectToAccount(options);
    const containers = containerNames(options.containerPrefix);
    const images = service.getContainerClient(containers.images);
    this.account = new StorageAccount(service, containers);
    this.sas = new SasUrls({
      images,
      signer,
      accountUrl: this.account.url,
      publicBlobEndpoint: options.publicBlobEndpoint,
    });
    this.images = new ImageBlobs(images);
    this.records = new RecordStore({
      batches: service.getContainerClient(containers.batches),
      studies: service.getContainerClient(containers.studies),
    });
  }
}
