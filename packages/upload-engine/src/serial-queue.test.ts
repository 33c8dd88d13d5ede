import { describe, expect, it } from "vitest";
import { SerialQueue } from "./serial-queue.js";
import { deferred, settle } from "./testing/deferred.js";

describe("SerialQueue", () => {
  it("starts each task only after the one before it ended, in the order given", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const gate = deferred<void>();
    const first = queue.run(async () => {
      log.push("first started");
      await gate.promise;
      log.push("first ended");
      return 1;
    });
    const second = queue.run(() => {
      log.push("second started");
      return 2;
    });
    await settle();
    expect(log).toEqual(["first started"]);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(["first started", "first ended", "second started"]);
  });

  it("gives a task's failure to its caller only; the next task runs all the same", async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => Promise.reject(new Error("no")));
    const next = queue.run(() => "ran");
    await expect(failing).rejects.toThrow("no");
    await expect(next).resolves.toBe("ran");
  });

  it("is idle once every task given so far has ended, a failed one too", async () => {
    const queue = new SerialQueue();
    const gate = deferred<void>();
    let ended = false;
    queue
      .run(async () => {
        await gate.promise;
        ended = true;
        throw new Error("late failure");
      })
      .catch(() => undefined);
    const idle = queue.idle();
    await settle();
    expect(ended).toBe(false);
    gate.resolve();
    await idle;
    expect(ended).toBe(true);
  });
});
