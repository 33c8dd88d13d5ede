import {
  generateBlobSASQueryParameters,
  type BlobSASSignatureValues,
  type BlobServiceClient,
  type StorageSharedKeyCredential,
  type UserDelegationKey,
} from "@azure/storage-blob";

/** Turns SAS values into a signed query string; which key signs it is the signer's business. */
export interface SasSigner {
  sign(values: BlobSASSignatureValues & { expiresOn: Date }): Promise<string>;
}

/** Service SAS signed with the account key (connection string, Azurite). */
export function sharedKeySigner(credential: StorageSharedKeyCredential): SasSigner {
  return { sign: async (values) => generateBlobSASQueryParameters(values, credential).toString() };
}

export interface UserDelegationOptions {
  /** How long each delegation key is asked for (Azure allows up to 7 days). */
  keyLifetimeMs?: number;
  /** A key is renewed once less than this is left, so no SAS outlives the key that signed it. */
  renewMarginMs?: number;
  now?: () => number;
}

const HOUR_MS = 3600_000;
/** Storage issues delegation keys for at most 7 days. */
const MAX_KEY_LIFETIME_MS = 7 * 24 * HOUR_MS;
/** Same allowance as the SAS start: a key valid from a little before now survives clock skew. */
const KEY_START_SKEW_MS = 15 * 60 * 1000;

/**
 * User delegation SAS, signed with a key that storage issues to the API's Entra identity. The key is cached
 * and fetched again before it expires; concurrent signers share one fetch.
 */
export class UserDelegationSigner implements SasSigner {
  private key: UserDelegationKey | undefined;
  private pending: Promise<UserDelegationKey> | undefined;
  private readonly keyLifetimeMs: number;
  private readonly renewMarginMs: number;
  private readonly now: () => number;
  /** How many keys storage has issued to this signer: lets tests (and logs) see the cache work. */
  keysFetched = 0;

  constructor(
    private readonly service: BlobServiceClient,
    options: UserDelegationOptions = {},
  ) {
    this.keyLifetimeMs = options.keyLifetimeMs ?? 6 * HOUR_MS;
    this.renewMarginMs = options.renewMarginMs ?? HOUR_MS;
    this.now = options.now ?? Date.now;
  }

  async sign(values: BlobSASSignatureValues & { expiresOn: Date }): Promise<string> {
    const key = await this.keyValidUntil(values.expiresOn.getTime());
    return generateBlobSASQueryParameters(values, key, this.service.accountName).toString();
  }

  private async keyValidUntil(sasExpiresAt: number): Promise<UserDelegationKey> {
    const needed = Math.max(sasExpiresAt, this.now() + this.renewMarginMs);
    if (this.key && this.key.signedExpiresOn.getTime() >= needed) return this.key;
    this.pending ??= this.fetchKey(needed).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** A key that outlives `neededUntil` by the renewal margin: a long-lived SAS (a day's read URL) fits in one key. */
  private async fetchKey(neededUntil: number): Promise<UserDelegationKey> {
    const now = this.now();
    const lifetime = Math.min(
      MAX_KEY_LIFETIME_MS,
      Math.max(this.keyLifetimeMs, neededUntil - now + this.renewMarginMs),
    );
    const key = await this.service.getUserDelegationKey(new Date(now - KEY_START_SKEW_MS), new Date(now + lifetime));
    this.keysFetched += 1;
    this.key = key;
    return key;
  }
}
