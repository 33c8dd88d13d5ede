import { describe, expect, it, vi } from "vitest";
import { settle } from "@study-uploader/upload-engine/testing";
import type { DraftKeeper } from "./draft-autosave.js";
import { createDraftOwnership } from "./draft-ownership.js";
import type { DraftShelf, ListedDraft } from "./draft-shelf.js";
import type { SavedDraft } from "./saved-draft.js";
import { emptyForm } from "./study-draft-state.js";

/** A keeper that records what reached it, by key. */
function recordingKeeper(key: string, log: string[]): DraftKeeper {
  return {
    key,
    load: async () => null,
    save: async (draft) => void log.push(`save ${key}: ${draft.title}`),
    clear: async () => void log.push(`clear ${key}`),
    release: () => void log.push(`release ${key}`),
  };
}

/** One owner's drafts, no tab holding any: `kept` are listed, every key can be taken. */
function recordingShelf(owner: string, log: string[], kept: ListedDraft[] = []): DraftShelf {
  return {
    owner,
    list: async () => kept,
    heldKeys: async () => new Set(),
    take: async (key) => recordingKeeper(key, log),
    takeOver: async (key) => recordingKeeper(key, log),
    newKey: () => `${owner}#new`,
    askToLetGo: () => undefined,
    listen: () => () => undefined,
  };
}

/** The ownership over fake form actions; `token` is whose token the page holds (null: it cannot tell). */
function setup(options: { openDraft?: (keeper: DraftKeeper) => Promise<void>; kept?: ListedDraft[] } = {}) {
  const log: string[] = [];
  const opened: DraftKeeper[] = [];
  let token: string | null = "alice";
  /** While set, the token provider's answers wait for the test. */
  let held: ((owner: string | null) => void)[] | null = null;
  const ownership = createDraftOwnership({
    form: () => emptyForm,
    actions: {
      showDraftsElsewhere: () => undefined,
      openDraft: vi.fn(async (keeper: DraftKeeper) => {
        opened.push(keeper);
        log.push("open");
        await options.openDraft?.(keeper);
      }),
      closeDraft: vi.fn(async (how: "keep" | "forget" | "lost") => {
        log.push(`close (${how})`);
        if (how === "forget") await opened.at(-1)!.clear();
      }),
    },
    shelfFor: (owner) => {
      log.push(`drafts of ${owner}`);
      return recordingShelf(owner, log, owner === "alice" ? options.kept : []);
    },
    currentOwner: () => (held ? new Promise<string | null>((resolve) => held!.push(resolve)) : Promise.resolve(token)),
  });
  return {
    ownership,
    log,
    opened,
    signInAs: (owner: string | null) => (token = owner),
    /** From now on the provider answers only when told: `answer` gives every waiting question its answer. */
    holdAnswers: () => {
      held = [];
      return (owner: string | null) => held!.splice(0).forEach((resolve) => resolve(owner));
    },
  };
}

const draft = (title: string) => ({ title, upload: { batchId: null } }) as SavedDraft;

describe("draft ownership", () => {
  it("opens the draft of whoever the token names at start; seeing them again changes nothing", async () => {
    const { ownership, log } = setup();
    await ownership.ownerSeen("alice");
    expect(log).toEqual([]);
    await ownership.start();
    await ownership.ownerSeen("alice");
    expect(log).toEqual(["drafts of alice", "open"]);
  });

  it("opens nothing while it cannot tell whose token it is, then the first owner seen", async () => {
    const { ownership, log, signInAs } = setup();
    signInAs(null);
    await ownership.start();
    expect(log).toEqual([]);
    await ownership.ownerSeen("alice");
    expect(log).toEqual(["drafts of alice", "open"]);
  });

  it("another owner closes the draft shown (kept for its owner) before theirs opens, one change at a time", async () => {
    const { ownership, log } = setup();
    await ownership.start();
    void ownership.ownerSeen("bob");
    await ownership.ownerSeen("alice");
    expect(log).toEqual([
      "drafts of alice",
      "open",
      "close (keep)",
      "drafts of bob",
      "open",
      "close (keep)",
      "drafts of alice",
      "open",
    ]);
  });

  it("a draft still being read back does not hold up a switch", async () => {
    const { ownership, log } = setup({ openDraft: () => new Promise(() => undefined) });
    await ownership.start();
    await ownership.ownerSeen("bob");
    expect(log).toEqual(["drafts of alice", "open", "close (keep)", "drafts of bob", "open"]);
  });

  it("writes reach the draft only while the token names its owner, or while nobody can tell", async () => {
    const { ownership, log, opened, signInAs } = setup();
    await ownership.start();
    const alices = opened[0]!;
    await alices.save(draft("typed by Alice"));
    signInAs("bob");
    await alices.save(draft("typed by Bob into what was shown"));
    await alices.clear();
    signInAs(null);
    await alices.save(draft("typed while the provider did not answer"));
    expect(log.filter((line) => !line.startsWith("drafts") && line !== "open")).toEqual([
      "save alice: typed by Alice",
      "save alice: typed while the provider did not answer",
    ]);
  });

  it("a write at once goes by the last owner seen, without asking; an older save answered after it goes nowhere", async () => {
    const { ownership, log, opened, holdAnswers } = setup();
    await ownership.start();
    await ownership.ownerSeen("alice");
    const alices = opened[0]!;
    const answer = holdAnswers();
    const older = alices.save(draft("saved a moment before"));
    alices.writeNow!(draft("typed as the page went away"));
    answer("alice");
    await older;
    await ownership.ownerSeen("bob");
    alices.writeNow!(draft("typed by Bob into what was shown"));
    await settle();
    expect(log.filter((line) => line.startsWith("save"))).toEqual(["save alice: typed as the page went away"]);
  });

  it("sign-out closes the draft and deletes it, even when the token already names no one", async () => {
    const { ownership, log, signInAs } = setup();
    await ownership.start();
    signInAs("anonymous");
    await ownership.signOut();
    expect(log).toEqual(["drafts of alice", "open", "close (forget)", "clear alice"]);
    // The next owner seen opens theirs, whoever it is (the same user signing in again finds an empty draft).
    await ownership.ownerSeen("anonymous");
    await settle();
    expect(log.slice(4)).toEqual(["drafts of anonymous", "open"]);
  });

  it("sign-out in a tab that only browsed deletes the drafts no tab holds of whoever the token names", async () => {
    const kept = [{ key: "alice#1", draft: draft("left by a closed tab") }];
    const { ownership, log } = setup({ kept });
    await ownership.signOut();
    expect(log).toEqual(["drafts of alice", "clear alice#1", "release alice#1"]);
  });

  it("a second sign-out, with no draft open any more, deletes nothing of the next user", async () => {
    const { ownership, log, signInAs } = setup();
    await ownership.start();
    await ownership.signOut();
    signInAs("bob");
    const before = log.length;
    await ownership.signOut();
    expect(log.slice(before)).toEqual([]);
  });
});
