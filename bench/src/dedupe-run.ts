import type { BrowserContext } from "playwright-core";
import { errorMessage } from "@study-uploader/shared";
import type { StrategyName } from "./bench-plan.js";
import type { DedupePlan } from "./dedupe-plan.js";
import type { StudyRun } from "./browser-strategies.js";
import type { NetworkProfileName } from "./network-profiles.js";
import type { ProgressLog } from "./progress-log.js";
import { formatMiB, formatSeconds } from "./report-format.js";
import type { DedupeResult, DedupeStudy } from "./report-types.js";

/*
 * The same researcher sends the same images twice: one browser profile, signed in as one user, creates a study of
 * the workload's files, then a second study of the very same files. Reported for each: the uploads the page made
 * (XHRs in its resource timing), the body bytes storage's proxy forwarded, and the times. An API that knows which
 * images the owner already has lets the second study send nothing; without that it sends everything again.
 */

export interface DedupeContext {
  /** A fresh browser profile signed in as a new user. */
  openProfile: () => Promise<BrowserContext>;
  /** One study in that profile (T = 0); the profile stays open. */
  studyIn: (strategy: StrategyName, context: BrowserContext) => Promise<StudyRun>;
  setProfile: (profile: NetworkProfileName) => void;
  progress: ProgressLog;
}

const outcome = ({ sample, uploads }: StudyRun): DedupeStudy => ({
  uploads: uploads.requests,
  storageBodyBytes: uploads.storageBodyBytes,
  totalMs: sample.totalMs,
  pickToStudyMs: sample.pickToStudyMs,
  clickToStudyMs: sample.clickToStudyMs,
});

const describe = (s: DedupeStudy) =>
  `${s.uploads} uploads, ${formatMiB(s.storageBodyBytes)}, click→study ${formatSeconds(s.clickToStudyMs ?? Number.NaN)}`;

export async function runDedupe(
  options: DedupePlan,
  { openProfile, studyIn, setProfile, progress }: DedupeContext,
): Promise<{ dedupe?: DedupeResult; failures: string[] }> {
  const { profile, workload, strategies, runs } = options;
  progress.step(`dedupe: ${workload.id} twice by one user on ${profile}, ${strategies.join(", ")}, ${runs} run(s)`);
  setProfile(profile);
  const result: DedupeResult = { profile, workloadId: workload.id, runs: [] };
  const failures: string[] = [];
  for (let run = 1; run <= runs; run += 1) {
    for (const strategy of strategies) {
      const context = await openProfile();
      try {
        const first = outcome(await studyIn(strategy, context));
        const second = outcome(await studyIn(strategy, context));
        result.runs.push({ strategy, first, second });
        progress.step(`dedupe ${strategy} run ${run}/${runs}: first ${describe(first)}; second ${describe(second)}`);
      } catch (error) {
        failures.push(`dedupe ${strategy} run ${run}: ${errorMessage(error).split("\n")[0]}`);
        progress.step(`dedupe ${strategy} run ${run} FAILED: ${failures.at(-1)}`);
      } finally {
        await context.close();
      }
    }
  }
  return { dedupe: result.runs.length > 0 ? result : undefined, failures };
}
