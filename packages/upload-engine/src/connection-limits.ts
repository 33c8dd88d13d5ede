/** Browsers open at most 6 HTTP/1.1 connections to one origin; further requests wait inside the browser. */
export const HTTP1_CONNECTIONS_PER_ORIGIN = 6;
