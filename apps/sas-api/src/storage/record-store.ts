import type { ContainerClient } from "@azure/storage-blob";
import type { ZodType } from "zod";
import { errorMessage } from "@study-uploader/shared";
import { metadataHeaders, sendBlobRequest, responseHeader, type BlobResponse } from "./blob-requests.js";
import type { ServerPermission } from "./sas-urls.js";
import { errorCode, isRestStatus } from "./storage-errors.js";

/** The containers that hold JSON records: batch plans, study records, and the index that lists studies. */
export type RecordKind = "batches" | "studies" | "index";

export interface RecordListing {
  name: string;
  metadata: Record<string, string>;
  createdOn: Date | undefined;
}

/** A record as read, with what storage says about it beside the value. */
export interface StoredRecord<T> {
  value: T;
  /** Someone holds a lease on it (a commit in progress, for a batch plan). */
  leased: boolean;
  /** The version read: `replace` and `lease` can insist that it is still the current one. */
  etag: string;
}

/**
 * How a conditional overwrite went: "changed" when someone wrote (or deleted it) since the read, "leased" while
 * someone else holds a lease on it.
 */
export type ReplaceResult = "replaced" | "changed" | "leased";

/** A lease this process holds on a record; release it when done (it also lapses by itself). */
export interface RecordLease {
  /** Starts the lease's time again; false when it could not (it lapsed and someone else took it, or storage failed). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface RecordPage {
  records: RecordListing[];
  /** Storage's continuation marker, opaque; null on the last page. */
  nextMarker: string | null;
}

/** A create refused as an overwrite, of a record deleted before the refusal could be checked, is tried again. */
const CREATE_ATTEMPTS = 3;

/**
 * JSON records, one blob each. A record is parsed with the caller's schema on every read, so one that is not
 * what the API wrote (a bug, a hand edit) fails loudly instead of being cast and carried on with.
 */
export class RecordStore {
  /**
   * `serverUrl` names a record with a SAS that may only read it or only create it: reads and writes (five per
   * commit) skip the SDK's per-call pipeline.
   */
  constructor(
    private readonly containers: Record<RecordKind, ContainerClient>,
    private readonly serverUrl: (kind: RecordKind, permission: ServerPermission, name: string) => Promise<string>,
  ) {}

  /** Writes a JSON record only if none exists yet (If-None-Match: *); false when one already did. */
  async create(
    kind: RecordKind,
    name: string,
    value: unknown,
    metadata: Record<string, string> = {},
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Put Blob, as the SDK's upload sends it.
        await sendBlobRequest(
          await this.serverUrl(kind, "c", name),
          "PUT",
          {
            "x-ms-blob-type": "BlockBlob",
            "x-ms-blob-content-type": "application/json",
            "if-none-match": "*",
            ...metadataHeaders(metadata),
          },
          Buffer.from(JSON.stringify(value)),
        );
        return true;
      } catch (error) {
        if (isRestStatus(error, 409)) return false;
        // A create-only SAS may not write over a record at all (Azurite's 403): when it is there, that was the
        // refusal. When it has been deleted since (an index entry of a study being deleted), create it afresh.
        if (!isRestStatus(error, 403) || attempt >= CREATE_ATTEMPTS) throw error;
        if (await this.exists(kind, name)) return false;
      }
    }
  }

  /** Writes a JSON record whatever is there (a pointer that the newest writer should win). */
  async put(kind: RecordKind, name: string, value: unknown): Promise<void> {
    await sendBlobRequest(
      await this.serverUrl(kind, "w", name),
      "PUT",
      { "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": "application/json" },
      Buffer.from(JSON.stringify(value)),
    );
  }

  /** The record parsed with `schema`, or null when there is none; throws when the stored JSON does not fit. */
  async read<T>(kind: RecordKind, name: string, schema: ZodType<T>): Promise<T | null> {
    return (await this.readStored(kind, name, schema))?.value ?? null;
  }

  /** Like `read`, with the record's lease state from the same GET. */
  async readStored<T>(kind: RecordKind, name: string, schema: ZodType<T>): Promise<StoredRecord<T> | null> {
    let read: BlobResponse;
    try {
      read = await sendBlobRequest(await this.serverUrl(kind, "r", name), "GET", {});
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      throw error;
    }
    const leased = responseHeader(read, "x-ms-lease-state") === "leased";
    const etag = responseHeader(read, "etag") ?? "";
    const text = read.body.toString("utf8");
    try {
      return { value: schema.parse(JSON.parse(text)), leased, etag };
    } catch (error) {
      throw new Error(`Stored record ${kind}/${name} is malformed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * Overwrites a record only if it is still the version read (If-Match on `etag`), keeping its metadata
   * (a plain overwrite would drop it). Never while someone holds a lease on it: storage refuses that write.
   */
  async replace(
    kind: RecordKind,
    name: string,
    value: unknown,
    etag: string,
    metadata: Record<string, string> = {},
  ): Promise<ReplaceResult> {
    const body = JSON.stringify(value);
    try {
      await this.containers[kind].getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        conditions: { ifMatch: etag },
        metadata,
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
      return "replaced";
    } catch (error) {
      // Both are 412: a lease without its id (LeaseIdMissing), or another write since the read (ConditionNotMet).
      if (isRestStatus(error, 412)) return errorCode(error) === "LeaseIdMissing" ? "leased" : "changed";
      throw error;
    }
  }

  /**
   * Takes a lease on a record for `seconds` (15–60, storage's range): "held" when someone else holds one,
   * "missing" when there is no such record, "changed" when `ifMatch` is given and the record is no longer that
   * version. While it is held nobody else can take one, write or delete the record, and readers see it as leased.
   */
  async lease(
    kind: RecordKind,
    name: string,
    seconds: number,
    ifMatch?: string,
  ): Promise<RecordLease | "held" | "missing" | "changed"> {
    const client = this.containers[kind].getBlobClient(name).getBlobLeaseClient();
    try {
      await client.acquireLease(seconds, ifMatch === undefined ? {} : { conditions: { ifMatch } });
    } catch (error) {
      if (isRestStatus(error, 409)) return "held";
      if (isRestStatus(error, 404)) return "missing";
      if (isRestStatus(error, 412)) return "changed";
      throw error;
    }
    return {
      renew: () =>
        client.renewLease().then(
          () => true,
          () => false,
        ),
      release: async () => {
        await client.releaseLease().catch(() => undefined);
      },
    };
  }

  /** Replaces a record's metadata (all of it: storage keeps no part of the old); false when there is no record. */
  async setMetadata(kind: RecordKind, name: string, metadata: Record<string, string>): Promise<boolean> {
    try {
      await this.containers[kind].getBlobClient(name).setMetadata(metadata);
      return true;
    } catch (error) {
      if (isRestStatus(error, 404)) return false;
      throw error;
    }
  }

  async delete(kind: RecordKind, name: string): Promise<void> {
    await this.containers[kind].getBlobClient(name).deleteIfExists();
  }

  async exists(kind: RecordKind, name: string): Promise<boolean> {
    return this.containers[kind].getBlobClient(name).exists();
  }

  /** One page of records under a prefix, in name order, with their metadata: a single List Blobs call. */
  async listPage(kind: RecordKind, prefix: string, limit: number, marker: string | undefined): Promise<RecordPage> {
    const pages = this.containers[kind]
      .listBlobsFlat({ prefix, includeMetadata: true })
      .byPage({ maxPageSize: limit, continuationToken: marker });
    for await (const page of pages) {
      return {
        records: page.segment.blobItems.map((blob) => ({
          name: blob.name,
          metadata: blob.metadata ?? {},
          createdOn: blob.properties.createdOn,
        })),
        nextMarker: page.continuationToken || null,
      };
    }
    return { records: [], nextMarker: null };
  }

  /** Lists records under a prefix with their metadata, without downloading them. */
  async list(kind: RecordKind, prefix: string): Promise<RecordListing[]> {
    const found: RecordListing[] = [];
    for await (const blob of this.containers[kind].listBlobsFlat({ prefix, includeMetadata: true })) {
      found.push({ name: blob.name, metadata: blob.metadata ?? {}, createdOn: blob.properties.createdOn });
    }
    return found;
  }
}
