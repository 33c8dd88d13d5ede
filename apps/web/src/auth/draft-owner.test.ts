import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ANONYMOUS_DRAFT_OWNER, draftOwnerOf, tokenSubject } from "./draft-owner.js";

/** A JWT-shaped token with this payload; the signature is never looked at on this side. */
const tokenWith = (payload: unknown) =>
  `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;

describe("tokenSubject", () => {
  it.each([
    ["a subject", tokenWith({ sub: "alice@example.test" }), "alice@example.test"],
    ["a subject beyond ASCII (base64url, no padding)", tokenWith({ sub: "zoë~?>" }), "zoë~?>"],
    ["no subject", tokenWith({ name: "Alice" }), null],
    ["an empty subject", tokenWith({ sub: "" }), null],
    ["a subject that is not text", tokenWith({ sub: 42 }), null],
    ["a payload that is not JSON", `x.${Buffer.from("not json").toString("base64url")}.y`, null],
    ["a payload that is not base64", "x.%%%.y", null],
    ["an opaque token", "opaque-token", null],
  ])("%s", (_case, token, subject) => {
    expect(tokenSubject(token)).toBe(subject);
  });
});

describe("draftOwnerOf", () => {
  it("keys a signed-in user's draft by a SHA-256 of the subject, never the subject itself", async () => {
    const owner = await draftOwnerOf(tokenWith({ sub: "alice@example.test", exp: 1 }));
    expect(owner).toBe(`u-${createHash("sha256").update("alice@example.test").digest("hex")}`);
  });

  it("gives every token of one user the same key, and two users different keys", async () => {
    const first = await draftOwnerOf(tokenWith({ sub: "alice", iat: 1 }));
    expect(await draftOwnerOf(tokenWith({ sub: "alice", iat: 2 }))).toBe(first);
    expect(await draftOwnerOf(tokenWith({ sub: "bob", iat: 1 }))).not.toBe(first);
  });

  it("without a token (the API runs open) there is one anonymous draft", async () => {
    expect(await draftOwnerOf(null)).toBe(ANONYMOUS_DRAFT_OWNER);
    expect(await draftOwnerOf("")).toBe(ANONYMOUS_DRAFT_OWNER);
  });

  it("cannot tell whose draft a token without a subject is", async () => {
    expect(await draftOwnerOf("opaque-token")).toBeNull();
  });
});
