import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accessTokenProvider, jwtExpiryMs, TokenCommandError } from "./access-token.js";

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A JWT with this payload (unsigned: the CLI never checks the signature, the API does). */
const jwt = (payload: object) => `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(payload)}.c2lnbmF0dXJl`;

describe("jwtExpiryMs", () => {
  it("reads the expiry of a JWT, in milliseconds", () => {
    expect(jwtExpiryMs(jwt({ sub: "researcher", exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
  });

  it("knows no expiry for a token that is not a JWT", () => {
    expect(jwtExpiryMs("opaque-token")).toBeNull();
    expect(jwtExpiryMs("not.!!!.a-jwt")).toBeNull();
  });

  it("knows no expiry for a JWT whose payload has no numeric exp", () => {
    expect(jwtExpiryMs(jwt({ sub: "researcher" }))).toBeNull();
    expect(jwtExpiryMs(jwt({ exp: "1700000000" }))).toBeNull();
  });
});

describe("accessTokenProvider without a command", () => {
  it("gives STUDY_UPLOADER_TOKEN, trimmed", async () => {
    const token = accessTokenProvider(null, { STUDY_UPLOADER_TOKEN: "  secret-token\n" });
    expect(await token()).toBe("secret-token");
  });

  it("gives no token when STUDY_UPLOADER_TOKEN is unset or blank", async () => {
    expect(await accessTokenProvider(null, {})()).toBeNull();
    expect(await accessTokenProvider(null, { STUDY_UPLOADER_TOKEN: "   " })()).toBeNull();
  });
});

describe("accessTokenProvider with a command", () => {
  let dir: string;
  let tokenFile: string;
  let runsFile: string;
  /** A real command: prints the token in `tokenFile` and adds a line to `runsFile` each time it runs. */
  let command: string;
  const runs = () => (existsSync(runsFile) ? readFileSync(runsFile, "utf8").split("\n").length - 1 : 0);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "access-token-"));
    tokenFile = path.join(dir, "token.txt");
    runsFile = path.join(dir, "runs.txt");
    const script = path.join(dir, "print-token.cjs");
    writeFileSync(
      script,
      `const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(runsFile)}, "run\\n");
process.stdout.write(fs.readFileSync(${JSON.stringify(tokenFile)}, "utf8") + "\\n");
`,
    );
    command = `"${process.execPath}" "${script}"`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the command once while its JWT is fresh, and again within a minute of its expiry", async () => {
    let clock = 1_000_000;
    const expiresAt = clock + 10 * 60_000;
    const first = jwt({ exp: expiresAt / 1000, n: 1 });
    writeFileSync(tokenFile, first);
    const token = accessTokenProvider(command, {}, () => clock);

    expect(await token()).toBe(first);
    clock = expiresAt - 60_000 - 1;
    expect(await token()).toBe(first);
    expect(runs()).toBe(1);

    const second = jwt({ exp: expiresAt / 1000 + 600, n: 2 });
    writeFileSync(tokenFile, second);
    clock = expiresAt - 60_000;
    expect(await token()).toBe(second);
    expect(runs()).toBe(2);
  });

  it("runs the command again after five minutes when its token does not say when it expires", async () => {
    let clock = 0;
    writeFileSync(tokenFile, "opaque-1");
    const token = accessTokenProvider(command, {}, () => clock);
    expect(await token()).toBe("opaque-1");
    writeFileSync(tokenFile, "opaque-2");
    clock = 5 * 60_000 - 1;
    expect(await token()).toBe("opaque-1");
    clock = 5 * 60_000;
    expect(await token()).toBe("opaque-2");
    expect(runs()).toBe(2);
  });

  it("runs the command once for calls made while it runs", async () => {
    writeFileSync(tokenFile, "shared-token");
    const token = accessTokenProvider(command, {}, () => 0);
    expect(await Promise.all([token(), token(), token()])).toEqual(["shared-token", "shared-token", "shared-token"]);
    expect(runs()).toBe(1);
  });

  it("rejects with a TokenCommandError carrying the command's error output when the command fails", async () => {
    const failing = `"${process.execPath}" -e "process.stderr.write('not signed in\\n'); process.exit(3)"`;
    const token = accessTokenProvider(failing, {}, () => 0);
    const error: unknown = await token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenCommandError);
    expect((error as Error).message).toBe("--token-command failed: not signed in");
  });

  it("tries again after a failure instead of keeping it", async () => {
    const token = accessTokenProvider(command, {}, () => 0);
    await expect(token()).rejects.toBeInstanceOf(TokenCommandError);
    writeFileSync(tokenFile, "late-token");
    expect(await token()).toBe("late-token");
    expect(runs()).toBe(2);
  });

  it("refuses a command that prints two words, or nothing", async () => {
    const twoWords = accessTokenProvider(`"${process.execPath}" -e "process.stdout.write('two words')"`, {});
    await expect(twoWords()).rejects.toThrow(new TokenCommandError("--token-command printed no single token"));
    const nothing = accessTokenProvider(`"${process.execPath}" -e ""`, {});
    await expect(nothing()).rejects.toThrow(new TokenCommandError("--token-command printed no single token"));
  });
});
