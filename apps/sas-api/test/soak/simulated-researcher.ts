import { createHash, randomBytes } from "node:crypto";
import {
  commitStudyRequestSchema,
  createBatchResponseSchema,
  refreshBatchResponseSchema,
  studySchema,
  apiErrorSchema,
  type Study,
} from "@study-uploader/shared";
import {
  createChunkedMd5,
  uploadBatch,
  type BlobTransport,
  type RetryOptions,
} from "@study-uploader/upload-engine/node";

export interface SourceFile {
  name: string;
  bytes: Buffer;
  md5: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG-signed random bytes: enough for the server's checks, and every file distinct. */
export function sourceFiles(count: number, minBytes: number, maxBytes: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = randomBytes(minBytes + Math.floor(Math.random() * (maxBytes - minBytes)));
    PNG_SIGNATURE.copy(bytes);
    return { name: `image-${i + 1}.png`, bytes, md5: createHash("md5").update(bytes).digest("base64") };
  });
}

export interface ResearcherOutcome {
  study: Study;
  files: SourceFile[];
  uploadRounds: number;
  commitAttempts: number;
}

async function postJson(baseUrl: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/**
 * Does what the study form does, without a browser: one batch, every file through the product's upload
 * engine, "Retry failed" for whatever failed, then the commit; a 422 sends the named files again.
 */
export async function createStudyLikeTheForm(options: {
  apiUrl: string;
  files: SourceFile[];
  transport: BlobTransport;
  concurrency: number;
  retry?: Partial<RetryOptions>;
  headers?: Record<string, string>;
  maxRounds?: number;
}): Promise<ResearcherOutcome> {
  const headers = options.headers ?? {};
  const specs = options.files.map((f) => ({ name: f.name, size: f.bytes.length, type: "image/png" }));
  const created = await postJson(options.apiUrl, "/api/batches", { files: specs }, headers);
  if (created.status !== 201) throw new Error(`batch refused: ${created.status} ${JSON.stringify(created.body)}`);
  const batch = createBatchResponseSchema.parse(created.body);
  const refreshTargets = async (indexes: number[]) => {
    const res = await postJson(options.apiUrl, `/api/batches/${batch.batchId}/refresh`, { indexes }, headers);
    if (res.status !== 200) throw new Error(`refresh refused: ${res.status}`);
    return refreshBatchResponseSchema.parse(res.body);
  };

  const md5s = new Map<number, string>();
  let pending = options.files.map((_, index) => index);
  let targets: { expiresAt: string; files: typeof batch.files } = batch;
  const maxRounds = options.maxRounds ?? 5;
  let commitAttempts = 0;
  for (let round = 1; round <= maxRounds; round++) {
    if (pending.length > 0) {
      const result = await uploadBatch({
        files: pending.map((index) => ({ index, body: new Blob([options.files[index]!.bytes]) })),
        targets,
        refreshTargets,
        concurrency: options.concurrency,
        transport: options.transport,
        hashMd5: createChunkedMd5(),
        retry: options.retry,
        onFileProgress: () => undefined,
        onFileState: () => undefined,
      });
      for (const [index, md5] of result.md5ByIndex) md5s.set(index, md5);
      pending = [...result.failureByIndex.keys()];
      if (pending.length > 0) {
        // "Retry failed": fresh links for just those files.
        targets = await refreshTargets(pending);
        continue;
      }
    }
    commitAttempts++;
    const commit = commitStudyRequestSchema.parse({
      batchId: batch.batchId,
      title: `Soak ${batch.batchId.slice(0, 6)}`,
      elements: options.files.map((f, index) => ({ index, label: f.name, md5: md5s.get(index)! })),
    });
    const res = await postJson(options.apiUrl, "/api/studies", commit, headers);
    if (res.status === 201 || res.status === 200) {
      return { study: studySchema.parse(res.body), files: options.files, uploadRounds: round, commitAttempts };
    }
    const error = apiErrorSchema.safeParse(res.body);
    if (res.status !== 422 || !error.success || !error.data.error.files) {
      throw new Error(`commit refused: ${res.status} ${JSON.stringify(res.body)}`);
    }
    pending = error.data.error.files.map((f) => f.index);
    targets = await refreshTargets(pending);
  }
  throw new Error(`batch ${batch.batchId} did not commit in ${maxRounds} rounds`);
}
