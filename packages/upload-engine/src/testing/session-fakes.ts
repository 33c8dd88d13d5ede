import type { AddBatchFilesRequest, CommitStudyRequest, CreateBatchRequest, Study } from "@study-uploader/shared";
import { vi } from "vitest";
import type { PutBlobOutcome, PutBlobRequest } from "../blob-transport.js";
import type { Md5Hasher } from "../md5.js";
import type { SessionFile } from "../study-session.js";
import { deferred, settle, type Deferred } from "./deferred.js";

export const ok: PutBlobOutcome = { kind: "response", status: 201, errorCode: null };
export const refusal = (status: number, errorCode: string | null = null): PutBlobOutcome => ({
  kind: "response",
  status,
  errorCode,
});

export interface TransportCall {
  request: PutBlobRequest;
  /** `b1/g1/0`: batch, link generation, index. */
  path: string;
  index: number;
  answer: Deferred<PutBlobOutcome>;
}

/** Records every PUT; the test answers each call by hand. */
export function manualTransport() {
  const calls: TransportCall[] = [];
  const answered = new WeakSet<TransportCall>();
  let inFlight = 0;
  let maxInFlight = 0;
  const transport = (request: PutBlobRequest) => {
    const answer = deferred<PutBlobOutcome>();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    request.signal.addEventListener("abort", () => answer.resolve({ kind: "aborted" }));
    const path = new URL(request.url).pathname.slice(1);
    calls.push({ request, path, index: Number(path.split("/").at(-1)), answer });
    return answer.promise.finally(() => (inFlight -= 1));
  };
  return {
    transport,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    pending: () => calls.filter((c) => !c.request.signal.aborted && !answered.has(c)),
    answer(call: TransportCall, outcome: PutBlobOutcome) {
      answered.add(call);
      call.answer.resolve(outcome);
    },
  };
}

export type FakeTransport = ReturnType<typeof manualTransport>;

/** Answers every pending call with `outcome` until nothing is pending. */
export async function answerAll(fake: FakeTransport, outcome: PutBlobOutcome = ok) {
  for (let round = 0; round < 50; round++) {
    await settle();
    const pending = fake.pending();
    if (pending.length === 0) return;
    for (const call of pending) fake.answer(call, outcome);
  }
}

/**
 * The batch API as the server keeps it: files get the next indexes; a refresh hands out a new generation of
 * links, valid for ten minutes (first links last `linkLifetimeMs`).
 */
export function fakeApi(linkLifetimeMs: number, blockThresholdBytes = Infinity) {
  const sizes = new Map<string, number>();
  const fileSizes = new Map<string, number>();
  let generation = 1;
  /** MD5s of images the owner already has: every link lists them (the real API lists those of the file's size). */
  const storedMd5s: string[] = [];
  const links = (batchId: string, indexes: number[], lifetimeMs = linkLifetimeMs) => ({
    expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    files: indexes.map((index) => ({
      index,
      uploadUrl: `http://storage/${batchId}/g${generation}/${index}`,
      headers: { "x-ms-blob-type": "BlockBlob" },
      ...((fileSizes.get(`${batchId}/${index}`) ?? 0) > blockThresholdBytes ? { mode: "blocks" as const } : {}),
      ...(storedMd5s.length > 0 ? { storedMd5s: [...storedMd5s] } : {}),
    })),
  });
  const append = (batchId: string, files: readonly { size: number }[]) => {
    const first = sizes.get(batchId) ?? 0;
    sizes.set(batchId, first + files.length);
    files.forEach((f, i) => fileSizes.set(`${batchId}/${first + i}`, f.size));
    return files.map((_, i) => first + i);
  };
  return {
    createBatch: vi.fn(async (request: CreateBatchRequest) => {
      const batchId = `b${sizes.size + 1}`;
      return { batchId, ...links(batchId, append(batchId, request.files)) };
    }),
    addBatchFiles: vi.fn(async (batchId: string, request: AddBatchFilesRequest) =>
      links(batchId, append(batchId, request.files)),
    ),
    storedMd5s,
    removeBatchFile: vi.fn(async (_batchId: string, _index: number) => {}),
    reuseUpload: vi.fn(async (_batchId: string, _index: number, md5: string) => storedMd5s.includes(md5)),
    refreshBatch: vi.fn(async (batchId: string, indexes: number[]) => {
      generation++;
      return links(batchId, indexes, 600_000);
    }),
    commitStudy: vi.fn(async (request: CommitStudyRequest): Promise<Study> => ({
      id: "S".repeat(22),
      title: request.title,
      description: request.description ?? "",
      createdAt: new Date().toISOString(),
      elements: [],
    })),
  };
}

/** Keeps the next batch creation waiting until the returned deferred resolves. */
export function holdBatchCreation(api: ReturnType<typeof fakeApi>) {
  const creation = deferred<void>();
  const create = api.createBatch.getMockImplementation()!;
  api.createBatch.mockImplementationOnce(async (request) => {
    await creation.promise;
    return create(request);
  });
  return creation;
}

export const file = (id: string, size = 100): SessionFile => ({
  id,
  body: new Blob([new Uint8Array(size)]),
  name: `${id}.png`,
  type: "image/png",
});

export const fakeMd5: Md5Hasher = async (blob) => `md5-of-${blob.size}`;
