import { describe, expect, it } from "vitest";
import { isAllowedHost, isLocalHostName, parseHost } from "./allowed-hosts.js";

describe("parseHost", () => {
  it.each([
    ["localhost", { name: "localhost" }],
    ["Uploader.Example.ORG:8443", { name: "uploader.example.org", port: 8443 }],
    ["192.168.1.20:8787", { name: "192.168.1.20", port: 8787 }],
    ["[::1]:5173", { name: "[::1]", port: 5173 }],
    ["[fe80::1]", { name: "[fe80::1]" }],
  ])("reads %s", (value, host) => {
    expect(parseHost(value)).toEqual(host);
  });

  it.each([
    "",
    "evil.example:",
    "evil.example:99999",
    "a b",
    "user@evil.example",
    "::1",
    "-evil.example",
    "evil.example.",
  ])("refuses %j", (value) => {
    expect(parseHost(value)).toBeUndefined();
  });
});

describe("isAllowedHost", () => {
  const allowed = [{ name: "uploader.example.org" }, { name: "192.168.1.20", port: 8787 }];

  it("serves the local names on any port", () => {
    for (const host of ["localhost", "localhost:5173", "127.0.0.1:8787", "[::1]:8787", "LOCALHOST:1"]) {
      expect(isAllowedHost(host, [])).toBe(true);
    }
  });

  it("serves an allowed name on any port, and an allowed name:port only on that port", () => {
    expect(isAllowedHost("uploader.example.org", allowed)).toBe(true);
    expect(isAllowedHost("uploader.example.org:8443", allowed)).toBe(true);
    expect(isAllowedHost("192.168.1.20:8787", allowed)).toBe(true);
    expect(isAllowedHost("192.168.1.20:9000", allowed)).toBe(false);
    expect(isAllowedHost("192.168.1.20", allowed)).toBe(false);
  });

  it("refuses every other name, including look-alikes of the allowed ones", () => {
    for (const host of [
      "evil.example",
      "localhost.evil.example",
      "uploader.example.org.evil.example",
      "evil-uploader.example.org",
      "127.0.0.2",
      "0.0.0.0:8787",
      "localhost.",
      "",
    ]) {
      expect(isAllowedHost(host, allowed), host).toBe(false);
    }
  });
});

it("knows the local host names as URL.hostname spells them", () => {
  for (const url of ["http://localhost:1/", "http://127.0.0.1/", "http://[::1]:9/"]) {
    expect(isLocalHostName(new URL(url).hostname)).toBe(true);
  }
  expect(isLocalHostName(new URL("http://127.0.0.1.evil.example/").hostname)).toBe(false);
});
