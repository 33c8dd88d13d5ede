import type { ContainerClient } from "@azure/storage-blob";
import type { ZodType } from "zod";
import { readBody } from "./read-body.js";
import { isRestStatus } from "./storage-errors.js";

/** The containers that hold JSON records: batch plans and study records. */
export type RecordKind = "batches" | "studies";

export interface RecordListing {
  name: string;
  metadata: Record<string, string>;
  createdOn: Date | undefined;
}

/**
 * JSON records, one blob each. A record is parsed with the caller's schema on every read, so one that is not
 * what the API wrote (a bug, a hand edit) fails loudly instead of being cast and carried on with.
 */
export class RecordStore {
  constructor(private readonly containers: Record<RecordKind, ContainerClient>) {}

  /** Writes a JSON record only if none exists yet (If-None-Match: *); false when one already did. */
  async create(
    kind: RecordKind,
    name: string,
    value: unknown,
    metadata: Record<string, string> = {},
  ): Promise<boolean> {
    const body = JSON.stringify(value);
    try {
      await this.containers[kind].getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
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

  /** The record parsed with `schema`, or null when there is none; throws when the stored JSON does not fit. */
  async read<T>(kind: RecordKind, name: string, schema: ZodType<T>): Promise<T | null> {
    let text: string;
    try {
      // One GET (downloadToBuffer would ask for the blob's properties first).
      const read = await this.containers[kind].getBlobClient(name).download();
      text = (await readBody(read)).toString("utf8");
    } catch (error) {
      if (isRestStatus(error, 404)) return null;
      throw error;
    }
    try {
      return schema.parse(JSON.parse(text));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Stored record ${kind}/${name} is malformed: ${reason}`, { cause: error });
    }
  }

  async delete(kind: RecordKind, name: string): Promise<void> {
    await this.containers[kind].getBlobClient(name).deleteIfExists();
  }

  async exists(kind: RecordKind, name: string): Promise<boolean> {
    return this.containers[kind].getBlobClient(name).exists();
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
