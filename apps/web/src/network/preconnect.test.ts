import { describe, expect, it } from "vitest";
import { preconnectTarget } from "./preconnect.js";

const page = "https://uploader.example";
const storage = "https://account.blob.core.windows.net";

describe("preconnectTarget", () => {
  it("warms a cross-origin storage account", () => {
    expect(preconnectTarget(`${storage}/uploads/b/0.png?sv=2025&sig=x`, page, [])).toBe(storage);
  });

  it("accepts a bare origin", () => {
    expect(preconnectTarget(storage, page, [])).toBe(storage);
  });

  it("skips the page's own origin, by path or by full URL: its connection is already open", () => {
    expect(preconnectTarget("/storage/uploads/b/0.png?sig=x", page, [])).toBeNull();
    expect(preconnectTarget(`${page}/storage/uploads/b/0.png`, page, [])).toBeNull();
  });

  it("treats another port or scheme as another origin", () => {
    expect(preconnectTarget("http://uploader.example/x", page, [])).toBe("http://uploader.example");
    expect(preconnectTarget("https://uploader.example:8443/x", page, [])).toBe("https://uploader.example:8443");
  });

  it("adds nothing for an origin already linked", () => {
    expect(preconnectTarget(`${storage}/uploads/b/1.png`, page, [storage])).toBeNull();
  });

  it("skips URLs without a network origin", () => {
    expect(preconnectTarget("data:image/png;base64,AAAA", page, [])).toBeNull();
    expect(preconnectTarget("http://[bad", page, [])).toBeNull();
  });
});
