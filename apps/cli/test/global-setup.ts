import { execFileSync } from "node:child_process";
import path from "node:path";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

/**
 * The tests run the built command against the built API, as a researcher would: both are built here first
 * (tsup, a second or two each), so a stale `dist` is never what is tested.
 */
export default function setup(): void {
  for (const app of ["apps/cli", "apps/sas-api"]) {
    const cwd = path.join(REPO_ROOT, app);
    execFileSync(path.join(cwd, "node_modules/.bin/tsup"), ["--silent"], { cwd, stdio: "inherit" });
  }
}
