import {
  blockBytesFor,
  blockIdOf,
  blockListXml,
  blockRange,
  errorMessage,
  usesBlocks,
  type UploadTarget,
} from "@study-uploader/shared";
import type { BlobTransport, PutBlobOutcome } from "./blob-transport.js";
import { keptBytesOf } from "./block-steps.js";
import { classifyPutOutcome, type AttemptVerdict } from "./retry-policy.js";
import type { UploadQueue } from "./upload-queue.js";
import type { BlockSettings } from "./study-session-types.js";
import type { BlockProgress, FileEntry } from "./upload-state.js";

/** The block size a file is hashed with: kept from before a reload, else chosen now; null for a file sent whole. */
export function blockBytesOfFile(
  entry: FileEntry | undefined,
  settings: BlockSettings | null,
  bytesPerConnectionPerSecond: number | null,
): number | null {
  if (!entry) return null;
  if (entry.blocks) return entry.blocks.blockBytes;
  if (!settings || !usesBlocks(entry.spec.size, settings.thresholdBytes)) return null;
  return blockBytesFor(entry.spec.size, settings.blockBytes, bytesPerConnectionPerSecond);
}

export interface BlockRoundInput {
  queue: UploadQueue;
  /** Sends one request (through network outages). */
  send: BlobTransport;
  /** A usable upload link of the file (renewed when it is close to expiry). */
  link: () => Promise<UploadTarget>;
  body: Blob;
  /** Each block's MD5: at once, or when the worker has hashed that far (a file is sent while it is hashed). */
  md5Of: (block: number) => Promise<string>;
  /** The file's MD5, which Put Block List records (storage does not check it; the commit copies block by block). */
  fileMd5: () => Promise<string>;
  blocks: Pick<BlockProgress, "blockBytes" | "done"> & { count: number };
  /** Stops the round: the file was paused or removed. */
  signal: AbortSignal;
  /** The first request of the round started. */
  onStarted: () => void;
  /** Bytes storage holds plus those of the blocks in flight. */
  onProgress: (sent: number) => void;
  onBlockDone: (block: number) => void;
}

const withQuery = (url: string, query: string) => `${url}${url.includes("?") ? "&" : "?"}${query}`;

/**
 * A block storage refused as damaged (its Content-MD5) is sent again; the file is not given up for it. Storage
 * never answers "already there" to a block: a refusal that reads so for a whole file is one for good here.
 */
function blockVerdict(outcome: PutBlobOutcome): AttemptVerdict {
  if (outcome.kind !== "response") return classifyPutOutcome(outcome);
  if (outcome.errorCode === "Md5Mismatch") {
    return { kind: "retry", reason: "a block was damaged on the way (checksum mismatch)" };
  }
  const verdict = classifyPutOutcome(outcome);
  if (verdict.kind !== "already-exists") return verdict;
  const code = outcome.errorCode ? ` ${outcome.errorCode}` : "";
  return { kind: "fatal", reason: `storage refused a block (${outcome.status}${code})` };
}

/**
 * One attempt at a file sent in blocks: every block storage does not hold yet goes through the shared pool (so
 * one large file can use all of it) with its own Content-MD5, then Put Block List. A failed block stops new blocks
 * of the file from starting; those in flight finish and are kept. Ends with one verdict for the file, `progressed`
 * when it kept new blocks.
 */
export async function sendBlockRound(input: BlockRoundInput): Promise<AttemptVerdict> {
  const { blocks, body, signal } = input;
  const size = body.size;
  const inFlight = new Map<number, number>();
  const held = new Set(blocks.done);
  let kept = keptBytesOf({ blocks, spec: { size } });
  let failure = null as AttemptVerdict | null;
  let progressed = false;
  let started = false;
  const report = () => {
    let sent = kept;
    for (const loaded of inFlight.values()) sent += loaded;
    input.onProgress(sent);
  };
  const start = () => {
    if (!started) input.onStarted();
    started = true;
  };

  const sendBlock = async (block: number, md5: string, slot: AbortSignal) => {
    if (signal.aborted || failure) return;
    start();
    let target: UploadTarget;
    try {
      target = await input.link();
    } catch (error) {
      failure ??= { kind: "retry", reason: `could not renew the upload link (${errorMessage(error)})` };
      return;
    }
    const { start: from, end } = blockRange(block, size, blocks.blockBytes);
    const outcome = await input.send({
      url: withQuery(target.uploadUrl, `comp=block&blockid=${encodeURIComponent(blockIdOf(block, md5))}`),
      headers: { "Content-MD5": md5 },
      body: body.slice(from, end),
      signal: AbortSignal.any([slot, signal]),
      onProgress: (loaded) => {
        inFlight.set(block, loaded);
        report();
      },
    });
    inFlight.delete(block);
    const verdict = blockVerdict(outcome);
    if (verdict.kind === "uploaded") {
      kept += end - from;
      held.add(block);
      progressed = true;
      input.onBlockDone(block);
    } else if (verdict.kind !== "cancelled") {
      failure ??= verdict;
    }
    report();
  };

  const unreadable = (error: unknown) => {
    failure ??= { kind: "fatal", reason: `could not read the file (${errorMessage(error)})` };
  };
  const missing = Array.from({ length: blocks.count }, (_, block) => block).filter((b) => !blocks.done.has(b));
  // Each block joins the pool once its MD5 is known, so no slot waits for the hash. A task the pool drops
  // (everything stopped) rejects: the round then ends as cancelled below.
  await Promise.all(
    missing.map((block) =>
      input
        .md5Of(block)
        .then(
          (md5) =>
            failure ? undefined : input.queue.add((slot) => sendBlock(block, md5, slot)).catch(() => undefined),
          unreadable,
        ),
    ),
  );
  if (signal.aborted) return { kind: "cancelled" };
  if (failure !== null) {
    const stopped: AttemptVerdict = failure;
    return stopped.kind === "retry" ? { ...stopped, progressed } : stopped;
  }
  if (held.size < blocks.count) return { kind: "cancelled" };
  let fileMd5: string;
  let ids: string[];
  try {
    fileMd5 = await input.fileMd5();
    const blockIds = Array.from({ length: blocks.count }, (_, b) => input.md5Of(b).then((md5) => blockIdOf(b, md5)));
    ids = await Promise.all(blockIds);
  } catch (error) {
    unreadable(error);
    return failure!;
  }

  return input.queue
    .add(async (slot): Promise<AttemptVerdict> => {
      start();
      let target: UploadTarget;
      try {
        target = await input.link();
      } catch (error) {
        return { kind: "retry", reason: `could not renew the upload link (${errorMessage(error)})` };
      }
      const outcome = await input.send({
        url: withQuery(target.uploadUrl, "comp=blocklist"),
        headers: { ...target.headers, "x-ms-blob-content-md5": fileMd5 },
        body: new Blob([blockListXml(ids)], { type: "application/xml" }),
        signal: AbortSignal.any([slot, signal]),
        onProgress: () => undefined,
      });
      return classifyPutOutcome(outcome);
    })
    .catch(() => ({ kind: "cancelled" }) as const);
}
