/** Sums a CPU profile's samples by where the sampled code lives, for the commit profiler (`profile-commit.ts`). */

export type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
};

/** Where the code lives: which package, which part of Node, GC, or our own source. */
function place(functionName: string, url: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : `(native) ${functionName}`;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/").slice(0, 2).join("/")}`;
  const ours = /\/((?:apps|packages)\/[^/]+\/src)\//.exec(url);
  return ours ? ours[1]! : url;
}

/**
 * The profiled commits' samples, summed by where the sampled code lives (self time), and by every place and
 * function on the sample's stack (inclusive time: what a call costs with all it calls).
 */
export class ProfileTotals {
  private readonly self = new Map<string, number>();
  private readonly inclusive = new Map<string, number>();
  private readonly functions = new Map<string, number>();
  private commits = 0;

  add(profile: CpuProfile) {
    this.commits += 1;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const bump = (m: Map<string, number>, key: string, us: number) => m.set(key, (m.get(key) ?? 0) + us);
    (profile.samples ?? []).forEach((id, i) => {
      const { functionName, url } = byId.get(id)!.callFrame;
      // The inspector's own dispatch (starting and stopping the profiler) is not the commit's.
      if (functionName === "(idle)" || functionName === "dispatch") return;
      const us = profile.timeDeltas?.[i] ?? 0;
      bump(this.self, place(functionName, url), us);
      const places = new Set<string>();
      const functions = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)!.callFrame;
        const where = place(frame.functionName, frame.url);
        places.add(where);
        functions.add(`${frame.functionName || "(anonymous)"} ${where}`);
      }
      for (const key of places) bump(this.inclusive, key, us);
      for (const key of functions) bump(this.functions, key, us);
    });
  }

  report(label: string) {
    const busy = [...this.self.values()].reduce((a, b) => a + b, 0);
    const table = (m: Map<string, number>, top: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([k, us]) => `  ${(us / 1000 / this.commits).toFixed(2).padStart(6)} ms  ${k}`)
        .join("\n");
    console.warn(
      `${label}: ${(busy / 1000 / this.commits).toFixed(1)} ms sampled per commit (${this.commits} commits)\n` +
        `self time by place:\n${table(this.self, 20)}\n` +
        `inclusive time by place:\n${table(this.inclusive, 20)}\n` +
        `inclusive time by function:\n${table(this.functions, 70)}`,
    );
  }
}
