import { describe, expect, it } from "vitest";
import {
  HTTP1_CONNECTIONS_PER_ORIGIN,
  HTTP2_UPLOAD_CONCURRENCY,
  readUploadProtocol,
  uploadConcurrency,
  type ResourceTimingSource,
  type UploadConcurrencyInput,
} from "./upload-concurrency.js";

const cases: (UploadConcurrencyInput & { expected: number })[] = [
  { configured: 6, protocol: undefined, files: 50, expected: 6 },
  { configured: 6, protocol: "", files: 50, expected: 6 },
  { configured: 6, protocol: "http/1.1", files: 50, expected: 6 },
  { configured: 10, protocol: "http/1.1", files: 50, expected: HTTP1_CONNECTIONS_PER_ORIGIN },
  { configured: 3, protocol: "http/1.1", files: 50, expected: 3 },
  { configured: 6, protocol: "h2", files: 50, expected: HTTP2_UPLOAD_CONCURRENCY },
  { configured: 6, protocol: "h3", files: 50, expected: HTTP2_UPLOAD_CONCURRENCY },
  { configured: 20, protocol: "h2", files: 50, expected: HTTP2_UPLOAD_CONCURRENCY },
  { configured: 6, http2: 8, protocol: "h2", files: 50, expected: 8 },
  { configured: 6, http2: 8, protocol: "http/1.1", files: 50, expected: 6 },
  { configured: 6, protocol: "h2", files: 4, expected: 4 },
  { configured: 6, protocol: "http/1.1", files: 0, expected: 1 },
  { configured: 6, protocol: "spdy/3", files: 50, expected: 6 },
];

describe("uploadConcurrency", () => {
  it.each(cases)("$configured configured ($http2 over HTTP/2), $protocol, $files files → $expected", (input) => {
    expect(uploadConcurrency(input)).toBe(input.expected);
  });
});

const timing = (...entries: { name: string; nextHopProtocol: string }[]): ResourceTimingSource => ({
  getEntriesByType: () => entries.map((entry) => ({ entryType: "resource", ...entry }) as unknown as PerformanceEntry),
});

describe("readUploadProtocol", () => {
  const storage = "https://account.blob.core.windows.net";

  it("reads the latest finished request to the origin", () => {
    const source = timing(
      { name: `${storage}/uploads/a.png?sig=1`, nextHopProtocol: "http/1.1" },
      { name: "https://app.example/api/config", nextHopProtocol: "h3" },
      { name: `${storage}/uploads/b.png?sig=2`, nextHopProtocol: "h2" },
    );
    expect(readUploadProtocol(storage, source)).toBe("h2");
  });

  it("matches the whole origin, not a prefix of the name", () => {
    const source = timing({ name: `${storage}.evil.example/x`, nextHopProtocol: "h2" });
    expect(readUploadProtocol(storage, source)).toBeUndefined();
  });

  it("skips entries whose protocol is hidden (cross-origin without Timing-Allow-Origin)", () => {
    const source = timing(
      { name: `${storage}/uploads/a.png`, nextHopProtocol: "http/1.1" },
      { name: `${storage}/uploads/b.png`, nextHopProtocol: "" },
    );
    expect(readUploadProtocol(storage, source)).toBe("http/1.1");
  });

  it("is undefined before any request to the origin has finished", () => {
    expect(readUploadProtocol(storage, timing())).toBeUndefined();
  });
});
