/* The bench's progress on stdout; each step is stamped with the time since the start (m:ss). */

export interface ProgressLog {
  /** A line as it is. */
  line: (text: string) => void;
  /** A line stamped with the elapsed time. */
  step: (text: string) => void;
  elapsed: () => string;
}

export function createProgressLog(startedAt: number): ProgressLog {
  const elapsed = () => {
    const s = Math.round((Date.now() - startedAt) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  const line = (text: string) => process.stdout.write(`${text}\n`);
  return { line, step: (text) => line(`[${elapsed()}] ${text}`), elapsed };
}
