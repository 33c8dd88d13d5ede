import type { CDPSession, Page } from "playwright-core";
import { sleep } from "@study-uploader/shared";
import { median } from "./statistics.js";
import type { RunHooks } from "./browser-strategies.js";

export interface HeapMeasurement {
  /** Median of the idle samples after a forced GC, with the files picked and the form ready. */
  baselineHeapBytes: number;
  peakHeapBytes: number;
  samples: number;
}

async function usedHeapBytes(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const used = metrics.find((m) => m.name === "JSHeapUsedSize");
  if (!used) throw new Error("CDP Performance.getMetrics has no JSHeapUsedSize");
  return used.value;
}

/**
 * Samples the page's used JS heap through CDP every `intervalMs` from the click until the study is committed.
 * The baseline is taken idle, after a forced GC, so the growth is what the upload itself holds.
 */
export function createHeapProbe(
  intervalMs = 50,
  /** "pick" for uploads that start at the pick (large files): the baseline is then taken before anything is sent. */
  from: "click" | "pick" = "click",
): { hooks: RunHooks; result(): HeapMeasurement } {
  let cdp: CDPSession | undefined;
  let baseline = Number.NaN;
  let peak = 0;
  let samples = 0;
  let sampling: Promise<void> | undefined;
  let stopped = false;

  const start = async (page: Page) => {
    cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    const idle: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      idle.push(await usedHeapBytes(cdp));
      await sleep(intervalMs);
    }
    baseline = median(idle);
    peak = Math.max(...idle);
    const session = cdp;
    sampling = (async () => {
      while (!stopped) {
        try {
          peak = Math.max(peak, await usedHeapBytes(session));
        } catch {
          // The page went away (a run that failed or timed out): keep what was sampled.
          return;
        }
        samples += 1;
        await sleep(intervalMs);
      }
    })();
  };
  const hooks: RunHooks = {
    ...(from === "pick" ? { beforePick: start } : { beforeClick: start }),
    async afterCommit() {
      stopped = true;
      await sampling;
      await cdp?.detach();
    },
  };
  return {
    hooks,
    result: () => ({ baselineHeapBytes: baseline, peakHeapBytes: peak, samples }),
  };
}
