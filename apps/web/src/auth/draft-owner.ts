/** Whose draft the page keeps when no one is signed in: the API then runs open and everyone is the same owner. */
export const ANONYMOUS_DRAFT_OWNER = "anonymous";

/**
 * The subject (`sub`) a JWT names, read without checking its signature: it only tells drafts apart in this
 * browser, the API verifies the token on every request. Null when the token is not a JWT or names no one.
 */
export function tokenSubject(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    );
    const { sub } = JSON.parse(json) as { sub?: unknown };
    return typeof sub === "string" && sub !== "" ? sub : null;
  } catch {
    return null;
  }
}

/**
 * The key the draft of the user a token names is kept under: a SHA-256 of the subject (the browser's storage
 * never holds who it is), or the anonymous key without one. Null when it cannot tell: a token that names no
 * one, or a page without Web Crypto (plain http off localhost), where a signed-in draft is then not kept at all.
 */
export async function draftOwnerOf(token: string | null): Promise<string | null> {
  // The API client sends no Authorization header for an empty token either.
  if (!token) return ANONYMOUS_DRAFT_OWNER;
  const subject = tokenSubject(token);
  if (subject === null || !globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(subject));
  return `u-${Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
