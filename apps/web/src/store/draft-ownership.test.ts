import { describe, expect, it, vi } from "vitest";
import { settle } from "@study-uploader/upload-engine/testing";
import type { DraftKeeper } from "./draft-autosave.js";
import { createDraftOwnership } from "./draft-ownership.js";
import type { SavedDraft } from "./saved-draft.js";

/** A keeper that records what reached it, by owner. */
function recordingKeeper(owner: string, log: string[]): DraftKeeper {
  return {
    claim: async () => undefined,
    load: async () => null,
    save: async (draft) => void log.push(`save ${owner}: ${draft.title}`),
    clear: async () => void log.push(`clear ${owner}`),
    release: () => void log.push(`release ${owner}`),
  };
}

/** The ownership over fake form actions; `token` is whose token the page holds (null: it cannot tell). */
function setup(options: { openDraft?: (keeper: DraftKeeper) => Promise<void> } = {}) {
  const log: string[] = [];
  const opened: DraftKeeper[] = [];
  let token: string | null = "alice";
  const ownership = createDraftOwnership({
    actions: {
      openDraft: vi.fn(async (keeper: DraftKeeper) => {
        opened.push(keeper);
        log.push("open");
        await options.openDraft?.(keeper);
      }),
      closeDraft: vi.fn(async (how: "keep" | "forget") => {
        log.push(`close (${how})`);
        if (how === "forget") await opened.at(-1)!.clear();
      }),
    },
    keeperFor: (owner) => {
      log.push(`keeper of ${owner}`);
      return recordingKeeper(owner, log);
    },
    currentOwner: async () => token,
  });
  return {
    ownership,
    log,
    opened,
    signInAs: (owner: string | null) => (token = owner),
  };
}

const draft = (title: string) => ({ title }) as SavedDraft;

describe("draft ownership", () => {
  it("opens the draft of whoever the token names at start; seeing them again changes nothing", async () => {
    const { ownership, log } = setup();
    await ownership.ownerSeen("alice");
    expect(log).toEqual([]);
    await ownership.start();
    await ownership.ownerSeen("alice");
    expect(log).toEqual(["keeper of alice", "open"]);
  });

  it("opens nothing while it cannot tell whose token it is, then the first owner seen", async () => {
    const { ownership, log, signInAs } = setup();
    signInAs(null);
    await ownership.start();
    expect(log).toEqual([]);
    await ownership.ownerSeen("alice");
    expect(log).toEqual(["keeper of alice", "open"]);
  });

  it("another owner closes the draft shown (kept for its owner) before theirs opens, one change at a time", async () => {
    const { ownership, log } = setup();
    await ownership.start();
    void ownership.ownerSeen("bob");
    await ownership.ownerSeen("alice");
    expect(log).toEqual([
      "keeper of alice",
      "open",
      "close (keep)",
      "keeper of bob",
      "open",
      "close (keep)",
      "keeper of alice",
      "open",
    ]);
  });

  it("a draft still waiting for another tab does not hold up a switch", async () => {
    const { ownership, log } = setup({ openDraft: () => new Promise(() => undefined) });
    await ownership.start();
    await ownership.ownerSeen("bob");
    expect(log).toEqual(["keeper of alice", "open", "close (keep)", "keeper of bob", "open"]);
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
    expect(log.filter((line) => !line.startsWith("keeper") && line !== "open")).toEqual([
      "save alice: typed by Alice",
      "save alice: typed while the provider did not answer",
    ]);
  });

  it("sign-out closes the draft and deletes it, even when the token already names no one", async () => {
    const { ownership, log, signInAs } = setup();
    await ownership.start();
    signInAs("anonymous");
    await ownership.signOut();
    expect(log).toEqual(["keeper of alice", "open", "close (forget)", "clear alice"]);
    // The next owner seen opens theirs, whoever it is (the same user signing in again finds an empty draft).
    await ownership.ownerSeen("anonymous");
    await settle();
    expect(log.slice(4)).toEqual(["keeper of anonymous", "open"]);
  });

  it("sign-out with no draft open does nothing", async () => {
    const { ownership, log } = setup();
    await ownership.signOut();
    expect(log).toEqual([]);
  });
});
