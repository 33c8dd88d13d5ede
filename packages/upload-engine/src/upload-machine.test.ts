import { describe, expect, it } from "vitest";
import { moveTo } from "./file-steps.js";
import type { AttemptVerdict } from "./retry-policy.js";
import { transition } from "./upload-machine.js";
import {
  NEXT_STATES,
  emptySession,
  type FileEntry,
  type FileIn,
  type FileState,
  type SessionEvent,
  type SessionState,
} from "./upload-state.js";

const context = { maxAttempts: 3, backoffMs: (failures: number) => 100 * failures, now: 1_000 };
const spec = { name: "a.png", size: 100, type: "image/png" } as const;

/** A session holding file "a" (key 1) in `state`, in batch b1 unless told otherwise. */
function sessionWith(state: FileState, extra: Partial<SessionState> = {}, bytes = true): SessionState {
  const entry: FileEntry = { key: 1, id: "a", spec, bytes, state, blocks: null, paused: state.kind === "paused" };
  return { ...emptySession(), nextKey: 2, batchId: "b1", files: new Map([[1, entry]]), ...extra };
}

const step = (state: SessionState, event: SessionEvent) => transition(state, event, context);
const fileA = (state: SessionState) => state.files.get(1)?.state;
const kinds = (effects: { kind: string }[]) => effects.map((e) => e.kind);
const g = { generation: 0, key: 1 };
const verdict = (v: AttemptVerdict) => ({ kind: "put-ended", ...g, attempt: 1, verdict: v }) as const;

const checking: FileState = { kind: "checking", index: null, expectedMd5: null };
const hashingAt2: FileState = { kind: "hashing", index: 2, expectedMd5: null };
const queued: FileState = { kind: "queued", index: 2, md5: "m", attempt: 1, sent: 0, reason: null, renewLink: false };
const uploading = (attempt = 1, sent = 0): FileState => ({
  kind: "uploading",
  index: 2,
  md5: "m",
  attempt,
  sent,
  reason: null,
});
const uploaded: FileState = { kind: "uploaded", index: 2, md5: "m" };
const failed = (index: number | null, md5: string | null): FileState => ({
  kind: "failed",
  index,
  md5,
  sent: 0,
  reason: "x",
});

// from · event · the state after · effects asked for
const fileTable: [string, FileState, SessionEvent, Partial<FileState>, string[]][] = [
  ["a passed check starts its hash", checking, { kind: "checked", ...g, problem: null }, { kind: "hashing" }, ["hash"]],
  ["a failed check rejects it", checking, { kind: "checked", ...g, problem: "not a PNG" }, { kind: "rejected" }, []],
  [
    "an announced file that fails its check leaves the batch",
    { kind: "checking", index: 2, expectedMd5: null },
    { kind: "checked", ...g, problem: "not a PNG" },
    { kind: "rejected", index: 2 },
    ["remove"],
  ],
  [
    "hashed before its index: waits for it",
    { kind: "hashing", index: null, expectedMd5: null },
    { kind: "hashed", ...g, md5: "m" },
    { kind: "announcing", md5: "m" },
    [],
  ],
  ["hashed with its index: queued", hashingAt2, { kind: "hashed", ...g, md5: "m" }, queued, ["put"]],
  [
    "a restored file with another MD5 leaves its index and joins as new",
    { kind: "hashing", index: 2, expectedMd5: "old" },
    { kind: "hashed", ...g, md5: "new" },
    { kind: "announcing", md5: "new" },
    ["remove"],
  ],
  [
    "an unreadable file fails",
    hashingAt2,
    { kind: "unreadable", ...g, reason: "gone" },
    { kind: "failed", reason: "could not read the file (gone)" },
    [],
  ],
  ["a slot starts its attempt", queued, { kind: "put-started", ...g, attempt: 1 }, uploading(), []],
  ["progress moves forward", uploading(), { kind: "progress", ...g, sent: 40 }, { sent: 40 }, []],
  ["progress never goes back", uploading(1, 40), { kind: "progress", ...g, sent: 20 }, { sent: 40 }, []],
  ["progress stops at the size", uploading(), { kind: "progress", ...g, sent: 500 }, { sent: 100 }, []],
  ["stored", uploading(), verdict({ kind: "uploaded" }), uploaded, []],
  ["already stored counts as stored", uploading(), verdict({ kind: "already-exists" }), uploaded, []],
  [
    "a transient failure waits its backoff",
    uploading(1, 30),
    verdict({ kind: "retry", reason: "network error" }),
    { kind: "retrying", attempt: 2, sent: 30, reason: "network error", at: 1_100 },
    ["wait"],
  ],
  [
    "an expired link is renewed at once",
    uploading(),
    verdict({ kind: "refresh", reason: "upload link expired" }),
    { kind: "queued", attempt: 2, renewLink: true },
    ["put"],
  ],
  [
    "a refusal for good fails it",
    uploading(),
    verdict({ kind: "fatal", reason: "too large" }),
    { kind: "failed", reason: "too large" },
    [],
  ],
  ["a cancelled attempt changes nothing", uploading(), verdict({ kind: "cancelled" }), uploading(), []],
  [
    "the last attempt gives up",
    uploading(3),
    { kind: "put-ended", ...g, attempt: 3, verdict: { kind: "retry", reason: "network error" } },
    { kind: "failed", reason: "gave up after 3 attempts: network error" },
    [],
  ],
  [
    "the backoff over, it queues again",
    { kind: "retrying", index: 2, md5: "m", attempt: 2, sent: 30, reason: "r", at: 1_100 },
    { kind: "retry-due", ...g, attempt: 2 },
    { kind: "queued", attempt: 2, sent: 30 },
    ["put"],
  ],
  ["retry sends a hashed, announced file", failed(2, "m"), { kind: "retry", ids: ["a"] }, queued, ["put"]],
  ["retry hashes an unread file", failed(2, null), { kind: "retry", ids: ["a"] }, { kind: "hashing" }, ["hash"]],
  [
    "retry announces a file the API never took",
    failed(null, "m"),
    { kind: "retry", ids: ["a"] },
    { kind: "announcing" },
    ["announce"],
  ],
  ["retry never sends an arrived file", uploaded, { kind: "retry", ids: ["a"] }, uploaded, []],
  [
    "a restored file's bytes are checked",
    { kind: "waiting-for-bytes", index: 2, md5: "m" },
    { kind: "add", files: [{ id: "a", spec }] },
    { kind: "checking", index: 2, expectedMd5: "m" },
    ["check"],
  ],
  ["a start out of turn is ignored", uploaded, { kind: "put-started", ...g, attempt: 1 }, uploaded, []],
  ["an end out of turn is ignored", queued, verdict({ kind: "uploaded" }), queued, []],
  [
    "pause stops a file on its way",
    uploading(1, 30),
    { kind: "pause", ids: ["a"] },
    { kind: "paused", sent: 0 },
    ["halt"],
  ],
  ["pause holds a queued file", queued, { kind: "pause", ids: ["a"] }, { kind: "paused", attempt: 1 }, ["halt"]],
  [
    "resume sends a paused file with a new attempt",
    { kind: "paused", index: 2, md5: "m", attempt: 3, sent: 0 },
    { kind: "resume", ids: ["a"] },
    { kind: "queued", attempt: 4 },
    ["put"],
  ],
  [
    "an attempt that kept new blocks does not count toward giving up",
    uploading(3),
    { kind: "put-ended", ...g, attempt: 3, verdict: { kind: "retry", reason: "network error", progressed: true } },
    { kind: "retrying", attempt: 4, spared: 1 },
    ["wait"],
  ],
  [
    "a result of an earlier study is ignored",
    hashingAt2,
    { kind: "hashed", generation: 7, key: 1, md5: "m" },
    hashingAt2,
    [],
  ],
];

describe("upload machine: one file's transitions", () => {
  it.each(fileTable)("%s", (_name, from, event, to, effects) => {
    const { state, effects: asked } = step(sessionWith(from), event);
    expect(fileA(state)).toMatchObject(to);
    expect(kinds(asked)).toEqual(effects);
    const next = fileA(state)!.kind;
    if (next !== from.kind) expect(NEXT_STATES[from.kind] as readonly string[]).toContain(next);
  });

  it("a paused file that gets its index is held, not sent", () => {
    const announcing = sessionWith({ kind: "announcing", md5: "m" }, { apiBusy: { kind: "announce", keys: [1] } });
    const paused = step(announcing, { kind: "pause", ids: ["a"] }).state;
    const { state, effects } = step(paused, { kind: "announced", ...g, batchId: "b1", indexes: [4], uploadUrl: null });
    expect(fileA(state)).toEqual({ kind: "paused", index: 4, md5: "m", attempt: 1, sent: 0 });
    expect(kinds(effects)).toEqual([]);
  });

  it("a restored file the commit refused waits for its bytes when retried", () => {
    const { state } = step(sessionWith(failed(2, "m"), {}, false), { kind: "retry", ids: ["a"] });
    expect(fileA(state)).toEqual({ kind: "waiting-for-bytes", index: 2, md5: null });
  });

  it("an illegal transition does not type-check", () => {
    const arrived: FileIn<"uploaded"> = { kind: "uploaded", index: 2, md5: "m" };
    const again: FileIn<"queued"> = { ...arrived, kind: "queued", attempt: 1, sent: 0, reason: null, renewLink: false };
    // @ts-expect-error an arrived file is never queued again without failing first
    expect(moveTo(arrived, again).kind).toBe("queued");
    expect(moveTo(arrived, { kind: "failed", index: 2, md5: "m", sent: 0, reason: "refused" }).kind).toBe("failed");
  });
});

describe("upload machine: the API hears of files one call at a time", () => {
  it("files added to an empty session are announced together in a new batch", () => {
    const { state, effects } = step(emptySession(), {
      kind: "add",
      files: [
        { id: "a", spec },
        { id: "b", spec },
      ],
    });
    expect(kinds(effects)).toEqual(["check", "check", "announce"]);
    expect(effects[2]).toMatchObject({ batchId: null, files: [{ key: 1 }, { key: 2 }] });
    expect(state.apiBusy).toEqual({ kind: "announce", keys: [1, 2] });
  });

  it("files added while an announcement is out wait for it, then go in one call", () => {
    let { state } = step(emptySession(), { kind: "add", files: [{ id: "a", spec }] });
    state = step(state, { kind: "add", files: [{ id: "b", spec }] }).state;
    state = step(state, { kind: "add", files: [{ id: "c", spec }] }).state;
    expect(state.apiQueue).toEqual([{ kind: "announce" }]);
    const answered = step(state, { kind: "announced", generation: 0, batchId: "b1", indexes: [0], uploadUrl: null });
    expect(answered.effects).toEqual([
      {
        kind: "announce",
        batchId: "b1",
        files: [expect.objectContaining({ key: 2 }), expect.objectContaining({ key: 3 })],
      },
    ]);
    expect(answered.state.files.get(1)?.state).toMatchObject({ kind: "checking", index: 0 });
  });

  it("a file removed while announced has its index deleted before the next announcement", () => {
    let { state } = step(emptySession(), { kind: "add", files: [{ id: "a", spec }] });
    state = step(state, { kind: "add", files: [{ id: "b", spec }] }).state;
    state = step(state, { kind: "remove", id: "a" }).state;
    const answered = step(state, { kind: "announced", generation: 0, batchId: "b1", indexes: [0], uploadUrl: null });
    expect(answered.effects).toEqual([{ kind: "remove", batchId: "b1", index: 0 }]);
    expect(answered.state.apiQueue).toEqual([{ kind: "announce" }]);
  });

  it("a failed announcement fails its files with the reason", () => {
    const { state } = step(emptySession(), { kind: "add", files: [{ id: "a", spec }] });
    const failedState = step(state, { kind: "announce-failed", generation: 0, reason: "offline" }).state;
    expect(fileA(failedState)).toMatchObject({
      kind: "failed",
      index: null,
      reason: "could not start the upload (offline)",
    });
    expect(failedState.apiBusy).toBeNull();
  });
});

describe("upload machine: the commit", () => {
  const ask = (state: SessionState) => step(state, { kind: "commit", ticket: 1, order: ["a"] });

  it.each<[string, FileState, Partial<SessionState>, string, string[]]>([
    ["every file arrived: the commit goes", uploaded, {}, "sending", ["commit"]],
    ["a file on its way: it waits", uploading(), {}, "waiting", []],
    ["an API call still out: it waits", uploaded, { apiBusy: { kind: "remove" } }, "waiting", []],
    ["a failed file: nothing is committed", failed(2, "m"), {}, "idle", ["settle-commit"]],
    [
      "a file whose bytes are missing: nothing is committed",
      { kind: "waiting-for-bytes", index: 2, md5: null },
      {},
      "idle",
      ["settle-commit"],
    ],
  ])("%s", (_name, file, extra, commit, effects) => {
    const { state, effects: asked } = ask(sessionWith(file, extra));
    expect(state.commit.kind).toBe(commit);
    expect(kinds(asked)).toEqual(effects);
  });

  it("a waiting commit goes with the last arrival; a cancelled one settles as cancelled", () => {
    const waiting = ask(sessionWith(uploading())).state;
    const sent = step(waiting, verdict({ kind: "uploaded" }));
    expect(sent.state.commit.kind).toBe("sending");
    expect(sent.effects).toEqual([
      { kind: "commit", ticket: 1, batchId: "b1", elements: [{ id: "a", index: 2, md5: "m" }] },
    ]);
    const cancelled = step(waiting, { kind: "cancel-commit" });
    expect(cancelled.state.commit.kind).toBe("idle");
    expect(cancelled.effects).toEqual([{ kind: "settle-commit", ticket: 1, outcome: { kind: "cancelled" } }]);
  });

  it.each<
    [string, Extract<SessionEvent, { kind: "commit-answered" }>["answer"], string, Partial<FileState> | undefined]
  >([
    ["committed: the session starts over", { kind: "committed", study: {} as never }, "committed", undefined],
    [
      "refused: the file fails and must be sent again",
      { kind: "refused", message: "no", files: [{ index: 2, problem: "bad" }] },
      "refused",
      { kind: "failed", reason: "bad" },
    ],
    ["an error: the files stay as they are", { kind: "error", message: "offline" }, "idle", uploaded],
  ])("%s", (_name, answer, commit, file) => {
    const sending = ask(sessionWith(uploaded)).state;
    const { state, effects } = step(sending, { kind: "commit-answered", generation: 0, answer });
    expect(state.commit.kind).toBe(commit);
    expect(fileA(state)).toEqual(file === undefined ? undefined : expect.objectContaining(file));
    expect(kinds(effects)).toContain("settle-commit");
    if (commit === "committed") expect(state.generation).toBe(1);
  });
});
