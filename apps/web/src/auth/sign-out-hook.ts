/** What the hosting page may call on the app (README: signing out). */
export interface StudyUploaderHostHooks {
  /**
   * Stops the signed-in user's uploads and deletes their kept draft (and its staged images); resolves once the
   * draft is gone. Call it before the token provider stops answering for that user.
   */
  signOut(): Promise<void>;
}

declare global {
  interface Window {
    studyUploader?: StudyUploaderHostHooks;
  }
}

/** Hands the hosting page its sign-out hook, as `window.studyUploader.signOut()`. */
export function exposeSignOut(signOut: () => Promise<void>): void {
  window.studyUploader = Object.freeze({ signOut });
}
