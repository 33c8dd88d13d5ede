import type { AccessTokenProvider } from "@study-uploader/shared";

declare global {
  interface Window {
    /** Set by the hosting page's sign-in code (e.g. MSAL's acquireTokenSilent) when the API requires tokens. */
    studyUploaderAccessToken?: AccessTokenProvider;
  }
}

/**
 * The token the API calls carry: from the host page's sign-in hook when it set one, else a fixed development
 * token from VITE_API_BEARER_TOKEN, else none (the local default runs open).
 */
export const configuredAccessToken: AccessTokenProvider = async () => {
  if (window.studyUploaderAccessToken) return window.studyUploaderAccessToken();
  return (import.meta.env.VITE_API_BEARER_TOKEN as string | undefined) || null;
};
