import { notesForMisses } from "./report-notes.js";
import type { BenchReport, BenchResults } from "./report-types.js";
import { evaluateTargets } from "./targets.js";

/** Judges a run's results against the targets and explains each miss; the same for a fresh run and a saved one. */
export function buildReport(results: BenchResults): BenchReport {
  const targets = evaluateTargets(results.cells, results.memory);
  return { ...results, targets, notes: notesForMisses(results, targets) };
}
