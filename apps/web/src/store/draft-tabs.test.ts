import { describe, expect, it, vi } from "vitest";
import { settle } from "@study-uploader/upload-engine/testing";
import type { DraftKeeper } from "./draft-autosave.js";
import type { DraftElsewhere, DraftShelf } from "./draft-shelf.js";
import { createDraftTabs } from "./draft-tabs.js";
import type { SavedDraft } from "./saved-draft.js";

const draftTitled = (title: string, batchId: string | null = null) =>
  ({
    title,
    description: "",
    savedAt: Date.now(),
    images: [],
    upload: { batchId, files: [] },
  }) as unknown as SavedDraft;

/**
 * One browser in memory: its kept drafts, which tab holds which (Web Locks), and what tabs tell each other
 * (BroadcastChannel). A frozen tab hears nothing; `stealWaiting` is the take-over once a holder did not answer.
 */
function fakeBrowser() {
  const drafts = new Map<string, SavedDraft>();
  const holders = new Map<string, { tab: string; lose: () => void }>();
  const waiting: { key: string; grant: () => void }[] = [];
  const hearing = new Map<string, { letGo(key: string): void; changed(): void }>();
  const frozen = new Set<string>();
  let ids = 0;

  const others = (tab: string) => [...hearing].filter(([other]) => other !== tab && !frozen.has(other));
  const changed = (tab: string) => others(tab).forEach(([, hear]) => queueMicrotask(() => hear.changed()));

  const grant = (tab: string, key: string, onLost: () => void): DraftKeeper => {
    let holding = true;
    holders.set(key, {
      tab,
      lose: () => {
        holding = false;
        onLost();
      },
    });
    changed(tab);
    return {
      key,
      load: async () => drafts.get(key) ?? null,
      save: async (draft) => void (holding && drafts.set(key, draft)),
      clear: async () => void (holding && drafts.delete(key)),
      release() {
        if (!holding) return;
        holding = false;
        holders.delete(key);
        changed(tab);
        const next = waiting.findIndex((w) => w.key === key);
        if (next >= 0) waiting.splice(next, 1)[0]!.grant();
      },
    };
  };

  const shelf = (tab: string, owner = "alice"): DraftShelf => ({
    owner,
    list: async () =>
      [...drafts]
        .filter(([key]) => key === owner || key.startsWith(`${owner}#`))
        .map(([key, draft]) => ({ key, draft })),
    heldKeys: async () => new Set(holders.keys()),
    take: async (key, onLost) => (holders.has(key) ? null : grant(tab, key, onLost)),
    takeOver: (key, onLost) =>
      new Promise((resolve) => {
        if (!holders.has(key)) return resolve(grant(tab, key, onLost));
        waiting.push({ key, grant: () => resolve(grant(tab, key, onLost)) });
      }),
    newKey: () => `${owner}#${++ids}`,
    askToLetGo: (key) => others(tab).forEach(([, hear]) => queueMicrotask(() => hear.letGo(key))),
    listen(hear) {
      hearing.set(tab, hear);
      return () => hearing.delete(tab);
    },
  });

  return {
    drafts,
    shelf,
    freeze: (tab: string) => frozen.add(tab),
    heldBy: (key: string) => holders.get(key)?.tab ?? null,
    stealWaiting() {
      const { key, grant: give } = waiting.shift()!;
      const holder = holders.get(key)!;
      holders.delete(key);
      holder.lose();
      give();
    },
  };
}

/**
 * A tab's form, reduced to what the hand-over needs: its title, saved at once (the real autosave coalesces),
 * written once more when closed to be kept, never when lost.
 */
function tab(browser: ReturnType<typeof fakeBrowser>, name: string) {
  let keeper: DraftKeeper | null = null;
  const form = { title: "", imageIds: [] as string[], description: "", elsewhere: [] as DraftElsewhere[] };
  const tabs = createDraftTabs({
    shelf: browser.shelf(name),
    form: () => form,
    actions: {
      openDraft: vi.fn(async (opened: DraftKeeper) => {
        keeper = opened;
        const saved = await opened.load();
        if (saved && form.title === "") form.title = saved.title;
      }),
      closeDraft: vi.fn(async (how: "keep" | "forget" | "lost") => {
        const closing = keeper!;
        keeper = null;
        if (how === "keep" && form.title) await closing.save(draftTitled(form.title));
        if (how === "forget") await closing.clear();
        form.title = "";
        closing.release();
      }),
      showDraftsElsewhere: (drafts) => void (form.elsewhere = drafts),
    },
  });
  return {
    tabs,
    form,
    key: () => keeper?.key ?? null,
    type(title: string) {
      form.title = title;
      void keeper?.save(draftTitled(title));
    },
  };
}

describe("draft tabs", () => {
  it("a second tab gets a draft of its own, and is offered the first tab's once it holds something", async () => {
    const browser = fakeBrowser();
    const first = tab(browser, "first");
    const second = tab(browser, "second");
    await first.tabs.open();
    await second.tabs.open();
    expect([first.key(), second.key()]).toEqual(["alice", "alice#1"]);
    await settle(80);
    expect(second.form.elsewhere).toEqual([]);

    first.type("First tab's study");
    await vi.waitFor(() =>
      expect(second.form.elsewhere).toEqual([
        { key: "alice", title: "First tab's study", images: 0, movedFromHere: false },
      ]),
    );
    expect(first.form.elsewhere).toEqual([]);
  });

  it("Continue here: the holder saves and lets go, starts a new draft and offers it back; the draft opens here", async () => {
    const browser = fakeBrowser();
    const first = tab(browser, "first");
    const second = tab(browser, "second");
    await first.tabs.open();
    await second.tabs.open();
    // Typed a moment ago: the let-go writes it before it lets go.
    first.form.title = "Not saved yet";

    await second.tabs.continueHere("alice");
    await vi.waitFor(() => expect(second.form.title).toBe("Not saved yet"));
    expect(second.key()).toBe("alice");
    expect(first.key()).toBe("alice#2");
    expect(first.form.title).toBe("");
    await vi.waitFor(() =>
      expect(first.form.elsewhere).toEqual([{ key: "alice", title: "Not saved yet", images: 0, movedFromHere: true }]),
    );
    // The second tab's own, empty draft is gone.
    expect(browser.heldBy("alice#1")).toBeNull();

    first.type("Typed in the first tab afterwards");
    await settle(80);
    expect(browser.drafts.get("alice")?.title).toBe("Not saved yet");
  });

  it("a tab that does not answer has the draft taken: it writes nothing more to it", async () => {
    const browser = fakeBrowser();
    const first = tab(browser, "first");
    const second = tab(browser, "second");
    await first.tabs.open();
    first.type("Kept before the first tab froze");
    await second.tabs.open();
    browser.freeze("first");

    const taking = second.tabs.continueHere("alice");
    await settle();
    browser.stealWaiting();
    await taking;
    await vi.waitFor(() => expect(second.form.title).toBe("Kept before the first tab froze"));
    await vi.waitFor(() => expect(first.key()).toBe("alice#2"));
    first.type("Typed in the frozen tab");
    await settle(80);
    expect(browser.drafts.get("alice")?.title).toBe("Kept before the first tab froze");
  });

  it("never takes over a draft while this tab's form holds something", async () => {
    const browser = fakeBrowser();
    const first = tab(browser, "first");
    const second = tab(browser, "second");
    await first.tabs.open();
    first.type("First");
    await second.tabs.open();
    second.type("Typed in the second tab");
    await second.tabs.continueHere("alice");
    expect(second.form.title).toBe("Typed in the second tab");
    expect(browser.heldBy("alice")).toBe("first");
  });

  it("a reloaded tab opens the newest draft no other tab holds", async () => {
    const browser = fakeBrowser();
    browser.drafts.set("alice", { ...draftTitled("Old"), savedAt: 1 });
    browser.drafts.set("alice#7", { ...draftTitled("Newest, held"), savedAt: 3 });
    browser.drafts.set("alice#8", { ...draftTitled("Newer"), savedAt: 2 });
    await browser.shelf("holder").take("alice#7", () => undefined);
    const reloaded = tab(browser, "reloaded");
    await reloaded.tabs.open();
    await vi.waitFor(() => expect(reloaded.form.title).toBe("Newer"));
    expect(reloaded.key()).toBe("alice#8");
  });

  it("forgetting (sign-out) deletes this tab's draft and every one no tab holds, with their batches", async () => {
    const browser = fakeBrowser();
    const discardBatch = vi.fn(async () => undefined);
    const here = tab(browser, "here");
    const tabs = createDraftTabs({
      shelf: browser.shelf("here"),
      form: () => here.form,
      actions: {
        openDraft: async () => undefined,
        closeDraft: async () => void browser.drafts.delete("alice"),
        showDraftsElsewhere: () => undefined,
      },
      discardBatch,
    });
    await tabs.open();
    expect(browser.heldBy("alice")).toBe("here");
    browser.drafts.set("alice", draftTitled("This tab's"));
    browser.drafts.set("alice#5", draftTitled("Left by a closed tab", "batch-5"));
    browser.drafts.set("alice#6", draftTitled("Open in another tab", "batch-6"));
    browser.drafts.set("bob", draftTitled("Bob's"));
    await browser.shelf("other").take("alice#6", () => undefined);
    await tabs.close("forget");
    expect([...browser.drafts.keys()].sort()).toEqual(["alice#6", "bob"]);
    expect(discardBatch.mock.calls).toEqual([["batch-5"]]);
  });
});
