import { CommittedImages } from "./committed-images.js";
import { ImageBlobs } from "./image-blobs.js";
import { RecordStore } from "./record-store.js";
import { SasUrls } from "./sas-urls.js";
import { StorageAccount, connectToAccount, containerNames, type StorageAccess } from "./storage-account.js";

export type StorageOptions = StorageAccess & {
  containerPrefix: string;
  /** Origin (and path prefix) that SAS URLs should name instead of the account endpoint, or a path on the app's origin. */
  publicBlobEndpoint?: string;
};

/**
 * Everything the API keeps in Azure Blob Storage, one part per job. Routes and the domain call these parts;
 * they never build URLs or touch the SDK.
 */
export class BlobStorage {
  readonly account: StorageAccount;
  readonly sas: SasUrls;
  /** Uploads, as browsers sent them. */
  readonly images: ImageBlobs;
  /** The verified copies studies show. */
  readonly committed: CommittedImages;
  readonly records: RecordStore;

  constructor(options: StorageOptions) {
    const { service, signer } = connectToAccount(options);
    const containers = containerNames(options.containerPrefix);
    const images = service.getContainerClient(containers.images);
    const committed = service.getContainerClient(containers.committed);
    this.account = new StorageAccount(service, containers);
    this.sas = new SasUrls({
      images,
      committed,
      signer,
      accountUrl: this.account.url,
      publicBlobEndpoint: options.publicBlobEndpoint,
    });
    const sas = this.sas;
    this.images = new ImageBlobs(
      images,
      (name) => sas.serverUrl(images, "r", name),
      (name) => sas.serverUrl(images, "c", name),
    );
    this.committed = new CommittedImages(
      committed,
      (name) => sas.serverUrl(committed, "c", name),
      (name) => sas.serverUrl(committed, "w", name),
    );
    const records = {
      batches: service.getContainerClient(containers.batches),
      studies: service.getContainerClient(containers.studies),
      index: service.getContainerClient(containers.index),
    };
    this.records = new RecordStore(records, (kind, permission, name) => sas.serverUrl(records[kind], permission, name));
  }
}
