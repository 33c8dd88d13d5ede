import { describe, expect, it } from "vitest";
import { errorMessage } from "./error-message.js";

describe("errorMessage", () => {
  it.each([
    [new Error("disk full"), "disk full"],
    [new TypeError("not a function"), "not a function"],
    ["a thrown string", "a thrown string"],
    [42, "42"],
    [undefined, "undefined"],
    [null, "null"],
  ])("reads %o as %j", (error, message) => {
    expect(errorMessage(error)).toBe(message);
  });
});
