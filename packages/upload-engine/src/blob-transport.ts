/** One single-shot Put Blob of a whole file. */
export interface PutBlobRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: Blob;
  signal: AbortSignal;
  /** Bytes of the body sent so far; may repeat or (on some transports) jump. */
  onProgress: (sentBytes: number) => void;
}

export type PutBlobOutcome =
  | { kind: "response"; status: number; errorCode: string | null }
  | { kind: "network-error" }
  | { kind: "stalled"; afterMs: number }
  | { kind: "aborted" };

/** Sends one PUT and reports how it ended; never rejects. The browser uses XHR, a Node soak test can plug in its own. */
export type BlobTransport = (request: PutBlobRequest) => Promise<PutBlobOutcome>;
