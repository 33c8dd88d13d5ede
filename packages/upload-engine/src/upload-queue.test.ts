import { describe, expect, it } from "vitest";
import { deferred, settle, type Deferred } from "./testing/deferred.js";
import { UploadQueue } from "./upload-queue.js";

function controlledTasks(count: number) {
  const gates: Deferred<string>[] = [];
  const started: number[] = [];
  const signals: AbortSignal[] = [];
  const tasks = Array.from({ length: count }, (_, i) => (signal: AbortSignal) => {
    started.push(i);
    signals[i] = signal;
    gates[i] = deferred<string>();
    return gates[i].promise;
  });
  return { tasks, gates, started, signals };
}

describe("UploadQueue", () => {
  it("runs at most `concurrency` tasks and starts the next as soon as one ends", async () => {
    const queue = new UploadQueue(3);
    const { tasks, gates, started } = controlledTasks(7);
    const results = tasks.map((task) => queue.add(task));
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect(queue.runningCount).toBe(3);
    expect(queue.waitingCount).toBe(4);

    gates[1]!.resolve("one");
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.runningCount).toBe(3);
    await expect(results[1]).resolves.toBe("one");

    for (let i = 0; i < 7; i++) gates[i]?.resolve(`r${i}`);
    await settle();
    for (let i = 0; i < 7; i++) gates[i]?.resolve(`r${i}`);
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(queue.runningCount).toBe(0);
  });

  it("starts tasks first-in first-out", async () => {
    const queue = new UploadQueue(1);
    const { tasks, gates, started } = controlledTasks(4);
    tasks.forEach((task) => void queue.add(task));
    for (let i = 0; i < 4; i++) {
      await settle();
      gates[i]!.resolve("ok");
    }
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it("frees the slot when a task fails or throws synchronously", async () => {
    const queue = new UploadQueue(1);
    const thrown = queue.add(() => {
      throw new Error("boom");
    });
    const rejected = queue.add(() => Promise.reject(new Error("later")));
    const after = queue.add(async () => "ran");
    await expect(thrown).rejects.toThrow("boom");
    await expect(rejected).rejects.toThrow("later");
    await expect(after).resolves.toBe("ran");
  });

  it("abortAll aborts running tasks' signals and rejects waiting tasks without starting them", async () => {
    const queue = new UploadQueue(2);
    const { tasks, started, signals } = controlledTasks(4);
    const results = tasks.map((task) => queue.add(task));
    await settle();
    queue.abortAll();
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(true);
    await expect(results[2]).rejects.toMatchObject({ name: "AbortError" });
    await expect(results[3]).rejects.toMatchObject({ name: "AbortError" });
    await settle();
    expect(started).toEqual([0, 1]);
  });

  it("refuses a concurrency below one", () => {
    expect(() => new UploadQueue(0)).toThrow(RangeError);
    expect(() => new UploadQueue(2).setConcurrency(1.5)).toThrow(RangeError);
  });

  it("setConcurrency with a higher limit starts waiting tasks at once", async () => {
    const queue = new UploadQueue(2);
    const { tasks, started } = controlledTasks(6);
    tasks.forEach((task) => void queue.add(task));
    await settle();
    expect(started).toEqual([0, 1]);
    queue.setConcurrency(5);
    expect(queue.concurrency).toBe(5);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(queue.waitingCount).toBe(1);
  });

  it("setConcurrency with a lower limit lets running tasks finish and starts none until below it", async () => {
    const queue = new UploadQueue(3);
    const { tasks, gates, started } = controlledTasks(5);
    tasks.forEach((task) => void queue.add(task));
    await settle();
    queue.setConcurrency(1);
    expect(queue.runningCount).toBe(3);

    gates[0]!.resolve("a");
    gates[1]!.resolve("b");
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.resolve("c");
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.runningCount).toBe(1);
  });
});
