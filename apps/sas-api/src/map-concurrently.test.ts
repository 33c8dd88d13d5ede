import { describe, expect, it } from "vitest";
import { sleep } from "@study-uploader/shared";
import { mapConcurrently } from "./map-concurrently.js";

const tick = () => sleep(1);

describe("mapConcurrently", () => {
  it("runs at most `limit` tasks at once and keeps the items' order", async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      most = Math.max(most, ++running);
      for (let t = 0; t < n; t++) await tick();
      running--;
      return `${i}:${n}`;
    });
    expect(results).toEqual(["0:5", "1:1", "2:4", "3:2", "4:3", "5:0", "6:6"]);
    expect(most).toBe(3);
  });

  it("starts nothing new after a failure, and throws it once the running tasks have settled", async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapConcurrently([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error("storage said no");
      await tick();
      settled.push(n);
    });
    await expect(run).rejects.toThrow("storage said no");
    expect(started).toEqual([0, 1]);
    expect(settled).toEqual([0]);
  });

  it("maps nothing to nothing", async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
  });
});
