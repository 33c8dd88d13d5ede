import { keptUpload, type UploadSnapshot } from "@study-uploader/upload-engine/node";
import { writeJournal, type Journal, type JournalFile } from "./journal.js";

/** Less urgent news (a file arrived, a block was kept) is written at most this often: storage's report decides anyway. */
const WRITE_EVERY_MS = 1_000;

export interface JournalKeeper {
  /** The session's latest snapshot: written at once when the batch or a file's place in it is new. */
  update(snapshot: UploadSnapshot): void;
  /** The study the batch became: written at once, with the files as they were last kept. */
  committed(studyId: string): void;
  /** Writes what is pending now (before the run ends). */
  flush(): void;
}

/**
 * The batch and which files have their place in it (their count and the sum of their indexes: a file taken out
 * and another given a place in one step still change it, as new indexes only grow): what must be on disk before
 * any byte can arrive.
 */
function placesOf(snapshot: UploadSnapshot): string {
  let placed = 0;
  let indexSum = 0;
  for (const { state } of Object.values(snapshot.files)) {
    if (!("index" in state) || state.index === null) continue;
    placed++;
    indexSum += state.index;
  }
  return `${snapshot.batchId}|${placed}|${indexSum}`;
}

/**
 * Keeps the journal in step with the session. A file's place in the batch is on disk before any of its bytes can
 * arrive (written synchronously, as soon as the API gives it), so a run killed at any moment can always tell the
 * batch's files apart; the rest (MD5s, arrivals, blocks) is written at most once a second: at the next run storage
 * says what arrived, and a file's MD5 the journal lacks is read again from the file (the commit checks it).
 */
export function createJournalKeeper(
  file: string,
  start: Journal,
  facts: (id: string) => Pick<JournalFile, "name" | "size" | "mtimeMs"> | undefined,
  now: () => number = Date.now,
): JournalKeeper {
  let journal = start;
  let places = "";
  let pending: UploadSnapshot | null = null;
  let lastWrite = 0;
  const write = (snapshot: UploadSnapshot | null) => {
    if (snapshot) journal = { ...journal, batchId: snapshot.batchId, files: journalFiles(snapshot, facts) };
    writeJournal(file, journal);
    pending = null;
    lastWrite = now();
  };
  return {
    update(snapshot) {
      const next = placesOf(snapshot);
      if (next !== places) {
        places = next;
        write(snapshot);
      } else if (now() - lastWrite >= WRITE_EVERY_MS) write(snapshot);
      else pending = snapshot;
    },
    committed(studyId) {
      journal = { ...journal, studyId };
      write(pending);
    },
    flush() {
      if (pending) write(pending);
    },
  };
}

function journalFiles(
  snapshot: UploadSnapshot,
  facts: (id: string) => Pick<JournalFile, "name" | "size" | "mtimeMs"> | undefined,
): JournalFile[] {
  return keptUpload(snapshot).files.flatMap((kept): JournalFile[] => {
    const known = facts(kept.id);
    const blocks = kept.blocks && { ...kept.blocks, md5s: [...kept.blocks.md5s] };
    return known ? [{ ...known, ...kept, blocks }] : [];
  });
}
