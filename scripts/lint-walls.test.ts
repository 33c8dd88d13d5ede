import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The architecture's walls are lint rules: each row imports across a wall from a real file of the tree and
 * must be refused; each allowed import must pass. The text is linted in place of the file, not written.
 */
const eslint = new ESLint({ cwd: new URL("..", import.meta.url).pathname });

async function restrictedImports(filePath: string, importLine: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const refused: [wall: string, file: string, importLine: string][] = [
  ["shared imports no app", "packages/shared/src/index.ts", 'import "@study-uploader/sas-api/app";'],
  ["shared imports no upload engine", "packages/shared/src/index.ts", 'import "@study-uploader/upload-engine";'],
  ["the upload engine imports no React", "packages/upload-engine/src/index.ts", 'import "react";'],
  ["the upload engine imports no zustand", "packages/upload-engine/src/study-session.ts", 'import "zustand/vanilla";'],
  [
    "the upload engine imports no app",
    "packages/upload-engine/src/index.ts",
    'import "../../../apps/web/src/format.js";',
  ],
  ["only storage talks to Azure", "apps/sas-api/src/errors.ts", 'import { RestError } from "@azure/storage-blob";'],
  ["the domain speaks no HTTP", "apps/sas-api/src/domain/batches.ts", 'import { ApiProblem } from "../errors.js";'],
  [
    "the domain imports no Hono",
    "apps/sas-api/src/domain/studies.ts",
    'import { HTTPException } from "hono/http-exception";',
  ],
  ["only storage holds credentials", "apps/sas-api/src/main.ts", 'import "@azure/identity";'],
  ["the web imports no Azure SDK", "apps/web/src/format.ts", 'import "@azure/storage-blob";'],
  ["the web imports no API source", "apps/web/src/format.ts", 'import "../../sas-api/src/app.js";'],
  ["the web imports no API package", "apps/web/src/format.ts", 'import "@study-uploader/sas-api/app";'],
  ["e2e uses the API's exports", "e2e/support/ports.ts", 'import "../../apps/sas-api/src/azurite.js";'],
  ["bench uses the API's exports", "bench/src/listen.ts", 'import "../../apps/sas-api/src/azurite.js";'],
  ["code imports no tests", "apps/sas-api/scripts/soak.ts", 'import "../test/test-api.js";'],
  ["code imports no test helpers", "apps/web/src/format.ts", 'import "@study-uploader/upload-engine/testing";'],
  ["code imports no test files", "packages/upload-engine/src/index.ts", 'import "./study-session.test.js";'],
];

const allowed: [why: string, file: string, importLine: string][] = [
  ["storage talks to Azure", "apps/sas-api/src/storage/sas-signer.ts", 'import "@azure/storage-blob";'],
  ["the domain reads storage's errors", "apps/sas-api/src/domain/studies.ts", 'import "../storage/storage-errors.js";'],
  ["tests check storage with the SDK", "apps/sas-api/test/sas.test.ts", 'import "@azure/storage-blob";'],
  ["tests import test helpers", "apps/sas-api/test/sas.test.ts", 'import "./test-api.js";'],
  ["the web uses the engine and the contract", "apps/web/src/format.ts", 'import "@study-uploader/upload-engine";'],
  ["e2e starts Azurite through the export", "e2e/support/ports.ts", 'import "@study-uploader/sas-api/azurite";'],
];

describe("architecture walls", () => {
  it.each(refused)("refused: %s", async (_wall, file, importLine) => {
    expect(await restrictedImports(file, importLine)).toHaveLength(1);
  });

  it.each(allowed)("allowed: %s", async (_why, file, importLine) => {
    expect(await restrictedImports(file, importLine)).toEqual([]);
  });
});
