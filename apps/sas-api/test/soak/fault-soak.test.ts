import { createHash, randomBytes } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createNodePutBlob } from "@study-uploader/upload-engine/node";
import { BlobStorage } from "../../src/storage/blob-storage.js";
import { NO_RATE_LIMITS, azuriteBlobEndpoint, startTestApi, type TestApi } from "../test-api.js";
import { FAULTS, startFaultProxy, type FaultProxy } from "../../scripts/soak/fault-proxy.js";
import {
  createStudyLikeTheForm,
  sourceFiles,
  type ResearcherOutcome,
} from "../../scripts/soak/simulated-researcher.js";

const BATCHES = 50;
const FILES_PER_BATCH = 16;
const BATCHES_AT_ONCE = 5;
const FAULT_RATE = 0.2;

let proxy: FaultProxy;
let api: TestApi;

beforeAll(async () => {
  const connectionString = inject("azuriteConnectionString");
  proxy = await startFaultProxy({
    upstream: azuriteBlobEndpoint(),
    pickFault: () => (Math.random() < FAULT_RATE ? FAULTS[Math.floor(Math.random() * FAULTS.length)]! : null),
  });
  // SAS URLs name the fault proxy; the API itself reaches storage directly.
  const storage = new BlobStorage({
    connectionString,
    containerPrefix: `soak${randomBytes(3).toString("hex")}-`,
    publicBlobEndpoint: proxy.url,
  });
  api = await startTestApi({}, { storage, config: { rateLimits: NO_RATE_LIMITS } });
});

afterAll(async () => {
  await api?.close();
  await proxy?.close();
});

it(
  `${BATCHES} batches of ${FILES_PER_BATCH} files commit exactly once through ${FAULT_RATE * 100}% storage faults`,
  { timeout: 240_000 },
  async () => {
    const transport = createNodePutBlob();
    const outcomes: ResearcherOutcome[] = [];
    let next = 0;
    const researcher = async () => {
      while (next < BATCHES) {
        next++;
        outcomes.push(
          await createStudyLikeTheForm({
            apiUrl: api.baseUrl,
            files: sourceFiles(FILES_PER_BATCH, 2 * 1024, 96 * 1024),
            transport,
            concurrency: 6,
            // Short waits keep the soak quick; the policy (what is retried, how often) is the product's own.
            retry: { baseDelayMs: 20, maxDelayMs: 400, stallTimeoutMs: 1_000 },
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: BATCHES_AT_ONCE }, researcher));

    const storageClient = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const listed = (
      (await (await api.get("/api/studies")).json()) as { studies: { id: string; elementCount: number }[] }
    ).studies;
    const studyIds = outcomes.map((o) => o.study.id);
    let blobsChecked = 0;
    for (const outcome of outcomes) {
      expect(outcome.study.elements).toHaveLength(FILES_PER_BATCH);
      for (const element of outcome.study.elements) {
        // Read with the account key, straight from storage (the read URL would cross the fault proxy).
        const [, , container, ...blob] = new URL(element.url).pathname.split("/");
        const stored = await storageClient
          .getContainerClient(container!)
          .getBlobClient(blob.join("/"))
          .downloadToBuffer();
        expect(createHash("md5").update(stored).digest("base64")).toBe(outcome.files[element.index]!.md5);
        blobsChecked++;
      }
    }
    const summary = {
      batches: outcomes.length,
      studiesListed: listed.length,
      distinctStudies: new Set(studyIds).size,
      blobsChecked,
      faults: proxy.counts,
      uploadRoundsOverOne: outcomes.filter((o) => o.uploadRounds > 1).length,
      commitsRetried: outcomes.filter((o) => o.commitAttempts > 1).length,
    };
    console.log(`fault soak: ${JSON.stringify(summary)}`);

    expect(outcomes).toHaveLength(BATCHES);
    expect(new Set(studyIds).size).toBe(BATCHES);
    expect(listed).toHaveLength(BATCHES);
    expect(listed.every((s) => s.elementCount === FILES_PER_BATCH)).toBe(true);
    expect(new Set(listed.map((s) => s.id))).toEqual(new Set(studyIds));
    expect(blobsChecked).toBe(BATCHES * FILES_PER_BATCH);
    // The faults really happened, of every kind.
    for (const fault of FAULTS) expect(proxy.counts[fault], fault).toBeGreaterThan(0);
  },
);
