import { describe, expect, it } from "vitest";
import { detectImageType } from "./image-signature.js";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe("detectImageType", () => {
  it.each([
    ["image/png", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ["image/jpeg", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF")],
    ["image/gif", bytes("GIF87a", [1, 0])],
    ["image/gif", bytes("GIF89a", [1, 0])],
    ["image/webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ")],
  ])("recognises %s", (type, head) => {
    expect(detectImageType(head)).toBe(type);
  });

  it.each([
    ["HTML", bytes("<!doctype html>")],
    ["SVG", bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ["a RIFF that is not WebP", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt ")],
    ["a truncated PNG signature", bytes([0x89], "PNG")],
    ["nothing", new Uint8Array()],
    ["GIF without version", bytes("GIF", [0, 0, 0])],
  ])("rejects %s", (_, head) => {
    expect(detectImageType(head)).toBeNull();
  });
});
