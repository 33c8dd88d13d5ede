import { parseCliArgs, USAGE } from "./cli-args.js";
import { EXIT, type ExitCode } from "./run-report.js";
import { studyUpload } from "./study-upload.js";

// `pnpm study-upload` runs from the repository's root: a relative folder is the caller's, where pnpm was started.
if (process.env.npm_lifecycle_event === "study-upload" && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

async function main(argv: readonly string[]): Promise<ExitCode> {
  const parsed = parseCliArgs(argv, process.env);
  if (parsed.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.committed;
  }
  if (parsed.kind === "bad") {
    process.stderr.write(`study-upload: ${parsed.message}\n\n${USAGE}\n`);
    return EXIT.badArguments;
  }
  // The first Ctrl-C stops the run cleanly (the journal is written; exit 3); a second one leaves at once.
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return studyUpload(parsed.options, {
    env: process.env,
    out: { stdout: process.stdout, stderr: process.stderr, json: parsed.options.json },
    tty: process.stderr.isTTY,
    interrupted: interrupt.signal,
  });
}

const code = await main(process.argv.slice(2));
// Open keep-alive sockets and timers must not hold the process: its work is done once stdout has drained.
process.stdout.write("", () => process.exit(code));
