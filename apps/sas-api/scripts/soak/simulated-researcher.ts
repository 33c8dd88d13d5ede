import { createHash, randomBytes } from "node:crypto";
import { createApiClient, type Study } from "@study-uploader/shared";
import { syntheticImage } from "@study-uploader/shared/synthetic-images";
import {
  createChunkedMd5,
  createStudySession,
  type BlobTransport,
  type RetryOptions,
  type SessionFile,
} from "@study-uploader/upload-engine/node";

export interface SourceFile {
  name: string;
  bytes: Buffer;
  md5: string;
}

/** PNGs that pass the server's structure check, random past their head, so every file is distinct. */
export function sourceFiles(count: number, minBytes: number, maxBytes: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const image = syntheticImage("image/png", minBytes + Math.floor(Math.random() * (maxBytes - minBytes)));
    const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    return { name: `image-${i + 1}.png`, bytes, md5: createHash("md5").update(bytes).digest("base64") };
  });
}

export interface ResearcherOutcome {
  study: Study;
  files: SourceFile[];
  /** Submits it took: 1 when nothing failed, one more per "Retry failed". */
  uploadRounds: number;
  commitAttempts: number;
}

/**
 * Does what the study form does, with the form's own study session and API client, without a browser: adds
 * the files (uploads start), Create study, then "Retry failed" for whatever failed (uploads, or files the
 * commit refused).
 */
export async function createStudyLikeTheForm(options: {
  apiUrl: string;
  files: SourceFile[];
  transport: BlobTransport;
  concurrency: number;
  retry?: Partial<RetryOptions>;
  maxRounds?: number;
}): Promise<ResearcherOutcome> {
  const session = createStudySession({
    api: createApiClient(options.apiUrl),
    transport: options.transport,
    hashMd5: createChunkedMd5(),
    concurrency: options.concurrency,
    retry: options.retry,
  });
  const files: SessionFile[] = options.files.map((file, index) => ({
    id: String(index),
    body: new Blob([file.bytes]),
    name: file.name,
    type: "image/png",
  }));
  const title = `Soak ${randomBytes(4).toString("hex")}`;
  const details = () => ({ title, labelOf: (id: string) => options.files[Number(id)]!.name });
  const maxRounds = options.maxRounds ?? 5;
  let commitAttempts = 0;
  session.add(files);
  for (let round = 1; round <= maxRounds; round++) {
    const outcome = await session.commit({ order: files.map((f) => f.id), details });
    const reachedCommit =
      outcome.kind === "committed" ||
      outcome.kind === "refused" ||
      (outcome.kind === "error" && outcome.stage === "commit");
    if (reachedCommit) commitAttempts++;
    switch (outcome.kind) {
      case "committed":
        return { study: outcome.study, files: options.files, uploadRounds: round, commitAttempts };
      case "files-failed":
      case "refused":
        session.retry();
        continue;
      default:
        throw new Error(`study not created: ${JSON.stringify(outcome)}`);
    }
  }
  throw new Error(`study "${title}" did not commit in ${maxRounds} rounds`);
}
