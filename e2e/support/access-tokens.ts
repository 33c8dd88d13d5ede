import { createHash, createHmac } from "node:crypto";
import type { Page } from "@playwright/test";

/** The hooks a hosting page uses (README): the token provider it sets, and what it calls on sign-out. */
declare global {
  interface Window {
    studyUploaderAccessToken?: () => Promise<string | null>;
    studyUploader?: { signOut(): Promise<void> };
  }
}

/** The HS256 secret of the API instance that requires a signed-in user (playwright.config.ts). */
export const E2E_JWT_SECRET = "e2e-only-secret-for-the-signed-in-api-instance";

/** An access token for `subject`, valid for an hour, signed as that instance checks it. */
export function accessTokenFor(subject: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: subject, iat: now - 10, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac("sha256", E2E_JWT_SECRET).update(unsigned).digest("base64url")}`;
}

/** From the page's next load on, its token provider hands out `subject`'s token, as a host's sign-in code would. */
export async function signInAs(page: Page, subject: string): Promise<void> {
  await page.addInitScript((token) => {
    window.studyUploaderAccessToken = async () => token;
  }, accessTokenFor(subject));
}

/** Switches the running page's token provider to `subject`'s token, as a host that changes user without a reload. */
export async function switchUserWithoutReload(page: Page, subject: string): Promise<void> {
  await page.evaluate((token) => {
    window.studyUploaderAccessToken = async () => token;
  }, accessTokenFor(subject));
}

/** Where the app keeps a signed-in user's draft: a hash of the subject, never the subject itself. */
export const draftKeyOf = (subject: string) => `u-${createHash("sha256").update(subject).digest("hex")}`;
