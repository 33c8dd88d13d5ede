import { createHash, randomBytes } from "node:crypto";

/** 144 random bits: unguessable, so a batch id alone never lets anyone find another's batch. */
export function newBatchId(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * A study's id is derived from its batch: one batch can only ever produce one study record, which makes
 * the conditional create exactly-once across retries and API instances, without revealing the batch id.
 */
export function studyIdForBatch(batchId: string): string {
  return createHash("sha256").update(`study:${batchId}`).digest("base64url").slice(0, 22);
}

/** Storage path segment for an owner: readable for the anonymous default, a hash for real subjects. */
export function ownerKey(subject: string | null): string {
  if (subject === null) return "anonymous";
  return `u-${createHash("sha256").update(subject).digest("base64url").slice(0, 32)}`;
}
