import type { AccessTokenProvider } from "@study-uploader/shared";
import { draftOwnerOf } from "./draft-owner.js";

/**
 * The API's token provider, watched: every token it hands out says whose draft the page may show, and so does
 * asking it again when the window comes back into view (after an account switch elsewhere). Each known owner is
 * reported to the listener, newest question last: a slow answer to an older one never undoes a newer one.
 */
export function watchDraftOwner(provider: AccessTokenProvider) {
  let listener: (owner: string) => void = () => undefined;
  let asked = 0;
  let newestAnswered = 0;

  const note = async (question: number, token: string | null) => {
    const owner = await draftOwnerOf(token);
    if (question > newestAnswered) {
      newestAnswered = question;
      if (owner !== null) listener(owner);
    }
    return owner;
  };

  /** Asks the provider now; null when it fails or its token names no one. */
  const currentOwner = async (): Promise<string | null> => {
    const question = ++asked;
    try {
      return await note(question, await provider());
    } catch {
      return null;
    }
  };

  window.addEventListener("focus", () => void currentOwner());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void currentOwner();
  });

  return {
    /** The provider the API client calls: the token is handed on at once, its owner noted beside. */
    accessToken: (async () => {
      const question = ++asked;
      const token = await provider();
      void note(question, token).catch(() => undefined);
      return token;
    }) satisfies AccessTokenProvider,
    currentOwner,
    onOwner(report: (owner: string) => void) {
      listener = report;
    },
  };
}
