import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "@study-uploader/shared";
import { imageFolder, runCli, startStack, type Stack } from "./cli-harness.js";

const SECRET = "a-secret-for-the-command-line-tests-0123456789";
const ISSUER = "https://login.example.test/cli";
const AUDIENCE = "api://study-uploader";

/** An HS256 token as an identity provider would issue it, valid for `seconds`. */
function tokenFor(sub: string, seconds = 600, secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + seconds })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** A command printing `token` that counts its runs in a file. */
function tokenCommand(token: string) {
  const runs = `${imageFolder(0).dir}/runs`;
  writeFileSync(runs, "");
  const script = `require('fs').appendFileSync(${JSON.stringify(runs)}, 'x'); process.stdout.write(${JSON.stringify(token)})`;
  return {
    command: `"${process.execPath}" -e "${script.replaceAll('"', '\\"')}"`,
    runs: () => readFileSync(runs, "utf8").length,
  };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
});
afterAll(async () => {
  await stack?.stop();
});

const upload = (dir: string, journal: string, more: string[], env: Record<string, string> = {}) =>
  runCli([dir, "--title", "Signed in", "--api", stack.apiUrl, "--journal", journal, "--json", ...more], env);

describe("study-upload against an API that needs sign-in", () => {
  it("says how to sign in when no token is given (exit 2), and sends nothing", async () => {
    const folder = imageFolder(2);
    const run = await upload(folder.dir, folder.journal, []);
    expect(run.stderr).toContain("needs sign-in: set STUDY_UPLOADER_TOKEN");
    expect(run.code).toBe(2);
    expect(stack.apiCalls.seen.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("says the API refused a bad token (exit 2)", async () => {
    const folder = imageFolder(2);
    const forged = tokenFor("mallory", 600, "not-the-secret-not-the-secret-not-the-secret");
    const run = await upload(folder.dir, folder.journal, [], { STUDY_UPLOADER_TOKEN: forged });
    expect(run.stderr).toContain("The API refused the token");
    expect(run.code).toBe(2);
  });

  it("creates the study as the user STUDY_UPLOADER_TOKEN names", async () => {
    const folder = imageFolder(3);
    const token = tokenFor("alice");
    const run = await upload(folder.dir, folder.journal, [], { STUDY_UPLOADER_TOKEN: token });
    expect(run.code, run.stderr).toBe(0);
    const { studyId } = JSON.parse(run.stdout);
    const alice = createApiClient(stack.apiUrl, fetch, async () => token);
    expect((await alice.getStudy(studyId)).elements).toHaveLength(3);
    const bob = createApiClient(stack.apiUrl, fetch, async () => tokenFor("bob"));
    await expect(bob.getStudy(studyId)).rejects.toMatchObject({ status: 404 });
  });

  it("runs --token-command once while its token is fresh, and again whenever it is near expiry", async () => {
    const fresh = tokenCommand(tokenFor("carol"));
    const first = imageFolder(3);
    expect((await upload(first.dir, first.journal, ["--token-command", fresh.command])).code).toBe(0);
    expect(fresh.runs()).toBe(1);

    // Within a minute of expiry: asked again before each call to the API.
    const expiring = tokenCommand(tokenFor("carol", 30));
    const second = imageFolder(3);
    const run = await upload(second.dir, second.journal, ["--token-command", expiring.command]);
    expect(run.code, run.stderr).toBe(0);
    expect(expiring.runs()).toBeGreaterThan(2);
  });
});
