import { existsSync } from "node:fs";

/** Debian's Chromium: Playwright cannot download its own browsers on these machines. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** For a system Chromium run headless in a container: no sandbox or GPU, and no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** How e2e and the bench launch Chromium: Debian's when present, with its flags, else Playwright's own as it is. */
export function chromiumLaunchOptions(): { executablePath?: string; args?: string[] } {
  return existsSync(DEBIAN_CHROMIUM) ? { executablePath: DEBIAN_CHROMIUM, args: [...CHROMIUM_ARGS] } : {};
}
