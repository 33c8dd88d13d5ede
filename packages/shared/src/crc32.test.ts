import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";

const ascii = (text: string) => new TextEncoder().encode(text);

describe("crc32", () => {
  it.each([
    ["", 0],
    // The standard check value of CRC-32/ISO-HDLC.
    ["123456789", 0xcbf43926],
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
    // The IEND chunk's CRC over its type, as every PNG ends with it.
    ["IEND", 0xae426082],
  ])("%j → %s", (text, crc) => {
    expect(crc32(ascii(text))).toBe(crc);
  });
});
