import { commitReadiness } from "./commit-readiness.js";
import * as blockSteps from "./block-steps.js";
import * as steps from "./file-steps.js";
import type { FileChange } from "./file-steps.js";
import { emptySession, type ApiCall, type CommitAnswer, type CommitOutcome } from "./upload-state.js";
import type { Effect, FileEntry, SessionEvent, SessionState, TransitionContext } from "./upload-state.js";

export interface Transition {
  state: SessionState;
  effects: Effect[];
}

/**
 * One step of a study's uploads, without side effects: the state after `event`, and what must be done for it
 * (check, hash, call the API, send, wait). The effect runner does it and reports each result as another event;
 * a result of an earlier study (before the session started over) changes nothing.
 */
export function transition(state: SessionState, event: SessionEvent, context: TransitionContext): Transition {
  if ("generation" in event && event.generation !== state.generation) return { state, effects: [] };
  const step = new Step(state);
  step.apply(event, context);
  return step.finish(state);
}

/** A transition being built: the next state's parts, changed in place, and the effects asked for. */
class Step {
  readonly files: Map<number, FileEntry>;
  readonly effects: Effect[] = [];
  apiQueue: ApiCall[];
  next: SessionState;
  changed = false;

  constructor(state: SessionState) {
    this.next = state;
    this.files = new Map(state.files);
    this.apiQueue = [...state.apiQueue];
  }

  update(change: Partial<SessionState>) {
    this.next = { ...this.next, ...change };
    this.changed = true;
  }

  byId(id: string) {
    for (const entry of this.files.values()) if (entry.id === id) return entry;
    return undefined;
  }

  add(entry: FileEntry) {
    this.files.set(entry.key, entry);
    this.update({ nextKey: Math.max(this.next.nextKey, entry.key + 1) });
  }

  callApi(call: ApiCall, urgent = false) {
    this.changed = true;
    if (urgent) this.apiQueue.unshift(call);
    // Files waiting to be announced all go in the next announcement: one is enough in the queue's tail.
    else if (call.kind === "remove" || this.apiQueue.at(-1)?.kind !== "announce") this.apiQueue.push(call);
  }

  applyChange(entry: FileEntry, proposed: FileChange | null) {
    const change = steps.heldIfPaused(entry, proposed);
    if (!change) return;
    const blocks = change.blocks === undefined ? entry.blocks : change.blocks;
    if (change.state !== entry.state || blocks !== entry.blocks) {
      this.files.set(entry.key, { ...entry, state: change.state, blocks });
      this.changed = true;
    }
    this.effects.push(...(change.effects ?? []));
    for (const call of change.calls ?? []) this.callApi(call);
    for (const call of change.urgentCalls ?? []) this.callApi(call, true);
  }

  apply(event: SessionEvent, context: TransitionContext) {
    const entry = "key" in event ? this.files.get(event.key) : undefined;
    switch (event.kind) {
      case "add":
        return this.addFiles(event.files);
      case "restore":
        return this.restore(event);
      case "remove": {
        const removed = this.byId(event.id);
        if (!removed) return;
        this.files.delete(removed.key);
        this.changed = true;
        this.effects.push({ kind: "abort", key: removed.key });
        const index = steps.indexOf(removed.state);
        // Not announced yet: never will be. Being announced: its index is deleted when the answer comes.
        if (index !== null) this.callApi({ kind: "remove", index });
        return;
      }
      case "retry":
        for (const id of event.ids) {
          const failed = this.byId(id);
          if (failed) this.applyChange(failed, steps.retried(failed));
        }
        return;
      case "pause":
      case "resume":
        return this.pauseOrResume(event.ids, event.kind === "pause");
      case "commit": {
        const commit = this.next.commit;
        if (commit.kind === "sending") {
          this.settle(event.ticket, { kind: "error", stage: "start", message: "the study is already being created" });
          return;
        }
        if (commit.kind === "waiting") this.settle(commit.ticket, { kind: "cancelled" });
        this.update({ commit: { kind: "waiting", ticket: event.ticket, order: event.order } });
        return;
      }
      case "cancel-commit":
        if (this.next.commit.kind === "waiting") this.settle(this.next.commit.ticket, { kind: "cancelled" });
        return;
      case "start-over":
        return this.startOver();
      case "checked":
        return entry && this.applyChange(entry, steps.checked(entry, event.problem));
      case "hashed":
        return entry && this.applyChange(entry, steps.hashed(entry, event.md5, event.blocks));
      case "digested":
      case "block-done":
        return entry && this.applyChange(entry, blockSteps.blockChange(entry, event));
      case "unreadable":
        return entry && this.applyChange(entry, steps.unreadable(entry, event.reason));
      case "announced":
        this.update({ uploadUrl: this.next.uploadUrl ?? event.uploadUrl });
        return this.announced(event.batchId, event.indexes);
      case "announce-failed":
        return this.apiAnswered((keys) => {
          for (const key of keys) {
            const file = this.files.get(key);
            if (file) this.applyChange(file, steps.announceFailed(file, event.reason));
          }
        });
      case "removed":
        return this.apiAnswered(() => undefined);
      case "put-started":
        return entry && this.applyChange(entry, steps.putStarted(entry, event.attempt));
      case "progress":
        return entry && this.applyChange(entry, steps.progressed(entry, event.sent));
      case "put-ended":
        return entry && this.applyChange(entry, steps.putEnded(entry, event.attempt, event.verdict, context));
      case "retry-due":
        return entry && this.applyChange(entry, steps.retryDue(entry, event.attempt));
      case "commit-answered":
        return this.commitAnswered(event.answer);
    }
  }

  addFiles(files: Extract<SessionEvent, { kind: "add" }>["files"]) {
    let fresh = false;
    for (const { id, spec } of files) {
      const entry = this.byId(id);
      if (!entry) {
        const key = this.next.nextKey;
        const checking = { kind: "checking", index: null, expectedMd5: null } as const;
        this.add({ key, id, spec, bytes: true, state: checking, blocks: null, paused: false });
        this.effects.push({ kind: "check", key });
        fresh = true;
        continue;
      }
      const state = entry.state;
      if (state.kind !== "waiting-for-bytes") continue;
      const checking = steps.moveTo(state, { kind: "checking", index: state.index, expectedMd5: state.md5 });
      this.files.set(entry.key, { ...entry, spec, bytes: true, state: checking });
      this.effects.push({ kind: "check", key: entry.key });
      this.changed = true;
    }
    if (fresh) this.callApi({ kind: "announce" });
  }

  restore(event: Extract<SessionEvent, { kind: "restore" }>) {
    if (this.files.size > 0 || this.next.batchId !== null) throw new Error("restore needs an empty session");
    this.update({ batchId: event.batchId });
    for (const restored of event.files) this.add(blockSteps.restoredEntry(this.next.nextKey, restored));
  }

  /**
   * Pause holds files (those on their way stop now); resume sends the held ones again. A file that arrived (or was
   * rejected) just before its Pause is not held: nothing of it is left to send, and a held one would keep the study.
   */
  pauseOrResume(ids: readonly string[], pause: boolean) {
    for (const id of ids) {
      const entry = this.byId(id);
      if (!entry || entry.paused === pause) continue;
      if (pause && (entry.state.kind === "uploaded" || entry.state.kind === "rejected")) continue;
      const flagged = { ...entry, paused: pause };
      this.files.set(entry.key, flagged);
      this.changed = true;
      this.applyChange(flagged, pause ? steps.paused(flagged) : steps.resumed(flagged));
    }
  }

  /** The API call out answered: the next one may go. */
  apiAnswered(then: (announcedKeys: readonly number[]) => void) {
    const busy = this.next.apiBusy;
    this.update({ apiBusy: null });
    then(busy?.kind === "announce" ? busy.keys : []);
  }

  announced(batchId: string, issued: readonly number[]) {
    this.update({ batchId });
    this.apiAnswered((keys) => {
      // The API numbers added files in the order they were sent.
      const indexes = [...issued].sort((a, b) => a - b);
      keys.forEach((key, i) => {
        const index = indexes[i];
        if (index === undefined) return;
        const entry = this.files.get(key);
        // Removed while it was announced: its index is deleted before any addition that follows.
        if (!entry) this.callApi({ kind: "remove", index }, true);
        else this.applyChange(entry, steps.announcedAt(entry, index));
      });
    });
  }

  commitAnswered(answer: CommitAnswer) {
    const commit = this.next.commit;
    if (commit.kind !== "sending") return;
    if (answer.kind === "committed") {
      this.update({ commit: { kind: "idle" } });
      this.startOver();
      this.update({ commit: { kind: "committed", study: answer.study } });
      this.effects.push({ kind: "settle-commit", ticket: commit.ticket, outcome: answer });
      return;
    }
    const problems: { id: string; problem: string }[] = [];
    for (const refused of answer.kind === "refused" ? answer.files : []) {
      const entry = [...this.files.values()].find((e) => steps.indexOf(e.state) === refused.index);
      const change = entry && steps.refusedByCommit(entry, refused.problem);
      if (!entry || !change) continue;
      this.applyChange(entry, change);
      problems.push({ id: entry.id, problem: refused.problem });
    }
    if (problems.length === 0) {
      this.settle(commit.ticket, { kind: "error", stage: "commit", message: answer.message });
      return;
    }
    const outcome = { kind: "refused", message: answer.message, problems } as const;
    this.update({ commit: outcome });
    this.effects.push({ kind: "settle-commit", ticket: commit.ticket, outcome });
  }

  settle(ticket: number, outcome: CommitOutcome) {
    this.update({ commit: { kind: "idle" } });
    this.effects.push({ kind: "settle-commit", ticket, outcome });
  }

  startOver() {
    const commit = this.next.commit;
    if (commit.kind === "waiting" || commit.kind === "sending") this.settle(commit.ticket, { kind: "cancelled" });
    for (const key of this.files.keys()) this.effects.push({ kind: "abort", key });
    this.files.clear();
    this.apiQueue = [];
    this.next = { ...emptySession(this.next.generation + 1), nextKey: this.next.nextKey };
    this.changed = true;
  }

  finish(before: SessionState): Transition {
    if (!this.changed) return { state: before, effects: this.effects };
    this.pumpApi();
    this.evaluateCommit();
    return { state: { ...this.next, files: this.files, apiQueue: this.apiQueue }, effects: this.effects };
  }

  /** Starts the next API call when none is out. */
  pumpApi() {
    while (this.next.apiBusy === null && this.apiQueue.length > 0) {
      const call = this.apiQueue.shift()!;
      const batchId = this.next.batchId;
      if (call.kind === "remove") {
        if (batchId === null) continue;
        this.effects.push({ kind: "remove", batchId, index: call.index });
        this.update({ apiBusy: { kind: "remove" } });
        continue;
      }
      const files = [...this.files.values()].filter((e) => steps.needsAnnouncing(e.state));
      if (files.length === 0) continue;
      this.effects.push({ kind: "announce", batchId, files: files.map(({ key, spec }) => ({ key, spec })) });
      this.update({ apiBusy: { kind: "announce", keys: files.map((f) => f.key) } });
    }
  }

  /** A waiting commit goes out once every file arrived and the API heard every addition and removal. */
  evaluateCommit() {
    const commit = this.next.commit;
    if (commit.kind !== "waiting") return;
    const readiness = commitReadiness(commit.order, this.files.values());
    if (readiness.kind === "wait") return;
    if (readiness.kind !== "ready") return this.settle(commit.ticket, readiness);
    const batchId = this.next.batchId;
    if (this.next.apiBusy !== null || this.apiQueue.length > 0 || batchId === null) return;
    this.update({ commit: { kind: "sending", ticket: commit.ticket, order: commit.order } });
    this.effects.push({ kind: "commit", ticket: commit.ticket, batchId, elements: readiness.elements });
  }
}
