import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { imageFolder, md5Of, runCli, startCli, startStack, type Stack } from "./cli-harness.js";

const MiB = 1024 * 1024;

let stack: Stack;
beforeAll(async () => {
  // Files over 1 MiB go in blocks of 256 KiB, so a 3 MiB image is 12 blocks.
  stack = await startStack({ UPLOAD_BLOCK_THRESHOLD_BYTES: String(MiB), UPLOAD_BLOCK_BYTES: String(256 * 1024) });
});
afterAll(async () => {
  await stack?.stop();
});

const blockPuts = (from: number) =>
  stack.storage.seen.slice(from).filter((r) => r.method === "PUT" && r.path.includes("comp=block&"));

it("killed while a large file goes in blocks, a rerun sends only the blocks storage lacks", async () => {
  const folder = imageFolder(1, 3 * MiB);
  const args = [folder.dir, "--title", "Blocks", "--api", stack.apiUrl, "--journal", folder.journal];
  let blocks = 0;
  stack.storage.hold = ({ method, path }) => method === "PUT" && path.includes("comp=block&") && ++blocks > 5;
  const first = startCli(args);
  await expect
    .poll(
      async () => {
        const { batchId } = JSON.parse(readFileSync(folder.journal, "utf8")) as { batchId: string | null };
        if (!batchId) return 0;
        return (await stack.api.getBatch(batchId)).files[0]?.stagedBlocks?.length ?? 0;
      },
      { timeout: 30_000 },
    )
    .toBe(5);
  first.child.kill("SIGKILL");
  await first.done;
  stack.storage.hold = () => false;

  const mark = stack.storage.seen.length;
  const second = await runCli([...args, "--json"]);
  expect(second.code, second.stderr).toBe(0);
  expect(blockPuts(mark)).toHaveLength(12 - 5);
  const { studyId } = JSON.parse(second.stdout);
  const [element] = (await stack.api.getStudy(studyId)).elements;
  expect(md5Of(new Uint8Array(await (await fetch(element!.url)).arrayBuffer()))).toBe(folder.files[0]!.md5);
});
