import { createHash } from "node:crypto";
import type { Page, Request } from "@playwright/test";
import { parseBlockId, type ApiClient } from "@study-uploader/shared";
import { expect, test } from "../support/fixtures.js";
import { e2ePorts } from "../support/ports.js";
import { StorageProxy } from "../support/storage-proxy.js";
import { pngImage, type TestImage } from "../support/test-images.js";

// The API behind these tests sends files over 1 MiB in blocks of 256 KiB, through a proxy in front of storage.
const ports = e2ePorts();
test.use({ baseURL: `http://127.0.0.1:${ports.blocksApi}` });

let proxy: StorageProxy;
test.beforeAll(async () => {
  proxy = await StorageProxy.start(ports.storageProxy, ports.azurite);
});
test.afterAll(async () => proxy.close());
test.beforeEach(() => {
  proxy.restore();
  proxy.throttle(null);
});

const blockIdOf = (r: Request) => new URL(r.url()).searchParams.get("blockid");
const isBlockPut = (r: Request) => r.method() === "PUT" && new URL(r.url()).searchParams.get("comp") === "block";

/** Put Block requests as the browser makes them: which are in flight, and which blocks storage took. */
class BlockTraffic {
  readonly sent: Request[] = [];
  readonly inFlight = new Set<Request>();
  maxInFlight = 0;
  /** Block ids storage answered 201 for, in order. */
  readonly stored: string[] = [];
  readonly refused: { blockId: string; status: number }[] = [];

  constructor(page: Page) {
    page.on("request", (r) => {
      if (!isBlockPut(r)) return;
      this.sent.push(r);
      this.inFlight.add(r);
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    });
    page.on("response", (res) => {
      const r = res.request();
      if (!this.inFlight.delete(r)) return;
      if (res.status() === 201) this.stored.push(blockIdOf(r)!);
      else this.refused.push({ blockId: blockIdOf(r)!, status: res.status() });
    });
    page.on("requestfailed", (r) => this.inFlight.delete(r));
  }

  blocksSentAfter(count: number): string[] {
    return this.sent.slice(count).map((r) => blockIdOf(r)!);
  }
}

const md5Of = (bytes: Buffer) => createHash("md5").update(bytes).digest("base64");

/** The committed copy, read back through the study's own download link: its bytes must be the file's. */
async function expectCommittedCopyOf(api: ApiClient, studyId: string, image: TestImage) {
  const study = await api.getStudy(studyId);
  const response = await fetch(study.elements[0]!.downloadUrl);
  expect(response.status).toBe(200);
  expect(md5Of(Buffer.from(await response.arrayBuffer()))).toBe(image.md5);
}

test("a large file goes as several blocks at once, each with its Content-MD5, and its committed copy is byte for byte the file", async ({
  page,
  form,
  api,
}) => {
  const traffic = new BlockTraffic(page);
  proxy.throttle(4_000_000);
  const image = pngImage("large-scan.png", 3 * 1024 * 1024);
  await form.open();
  await form.fillTitle("Blocks");
  await form.pick([image]);
  await form.label("large-scan.png").fill("scan");
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Blocks");

  expect(traffic.maxInFlight).toBeGreaterThan(1);
  const blocks = traffic.sent.map((r) => parseBlockId(blockIdOf(r)!));
  expect(blocks.length).toBe(Math.ceil(image.buffer.length / (256 * 1024)));
  for (const request of traffic.sent) {
    const block = parseBlockId(blockIdOf(request)!)!;
    // Content-MD5 is the MD5 the block's id names, and storage accepted it: the bytes arrived as they left.
    expect(await request.headerValue("content-md5")).toBe(block.md5);
    const start = block.block * 256 * 1024;
    expect(md5Of(image.buffer.subarray(start, start + 256 * 1024))).toBe(block.md5);
  }
  await expectCommittedCopyOf(api, studyId, image);
});

test("Pause stops every request of the file within a second, and Resume sends only the blocks storage lacks", async ({
  page,
  form,
}) => {
  const traffic = new BlockTraffic(page);
  proxy.throttle(1_000_000);
  const image = pngImage("paused-scan.png", 4 * 1024 * 1024);
  await form.open();
  await form.fillTitle("Paused");
  await form.pick([image]);
  await form.label("paused-scan.png").fill("scan");
  await expect.poll(() => traffic.stored.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

  await page.getByRole("button", { name: "Pause paused-scan.png" }).click();
  await expect.poll(() => traffic.inFlight.size, { timeout: 1_000 }).toBe(0);
  const sentAtPause = traffic.sent.length;
  const keptAtPause = new Set(traffic.stored);
  await expect(form.row("paused-scan.png")).toContainText("paused:");
  await expect(form.createButton).toHaveText("Create study (resume first)");
  await expect(form.createButton).toBeDisabled();
  // Held: nothing more goes while it is paused. An absence can only be watched for a while.
  // eslint-disable-next-line no-restricted-properties -- no state to wait for: nothing must happen
  await page.waitForTimeout(1_500);
  expect(traffic.sent.length).toBe(sentAtPause);

  await page.getByRole("button", { name: "Resume paused-scan.png" }).click();
  await expect(form.row("paused-scan.png")).toContainText("done", { timeout: 60_000 });
  const afterResume = traffic.blocksSentAfter(sentAtPause);
  expect(afterResume.filter((id) => keptAtPause.has(id))).toEqual([]);
  await form.createButton.click();
  await form.waitForStudyPage("Paused");
});

test("a reload at about half, then the file added again, sends no block that had finished", async ({ page, form }) => {
  const traffic = new BlockTraffic(page);
  proxy.throttle(1_000_000);
  const image = pngImage("reloaded-scan.png", 4 * 1024 * 1024);
  const blockCount = Math.ceil(image.buffer.length / (256 * 1024));
  await form.open();
  await form.fillTitle("Reloaded");
  await form.pick([image]);
  await form.label("reloaded-scan.png").fill("scan");
  await expect.poll(() => traffic.stored.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(blockCount / 2);

  const finishedBefore = new Set(traffic.stored);
  const inFlightAtReload = traffic.inFlight.size;
  await page.reload();
  const sentBeforeReload = traffic.sent.length;
  await expect(form.row("reloaded-scan.png")).toContainText("add this file again");
  await form.pick([image]);
  await expect(form.row("reloaded-scan.png")).toContainText("done", { timeout: 60_000 });

  const sentAgain = traffic.blocksSentAfter(sentBeforeReload);
  expect(sentAgain.filter((id) => finishedBefore.has(id))).toEqual([]);
  // Only what was on its way at the reload, and what had not started, goes after it.
  expect(sentAgain.length).toBeLessThanOrEqual(blockCount - finishedBefore.size);
  expect(sentAgain.length).toBeGreaterThanOrEqual(blockCount - finishedBefore.size - inFlightAtReload);
  await form.createButton.click();
  await form.waitForStudyPage("Reloaded");
});

test("a block damaged on the way is refused by storage and sent again", async ({ page, form, api }) => {
  const traffic = new BlockTraffic(page);
  proxy.damageNextBlock();
  const image = pngImage("damaged-scan.png", 2 * 1024 * 1024);
  await form.open();
  await form.fillTitle("Damaged");
  await form.pick([image]);
  await form.label("damaged-scan.png").fill("scan");
  await form.createButton.click();
  const studyId = await form.waitForStudyPage("Damaged");

  expect(traffic.refused).toHaveLength(1);
  expect(traffic.refused[0]!.status).toBe(400);
  // The refused block went again and was taken.
  expect(traffic.stored).toContain(traffic.refused[0]!.blockId);
  await expectCommittedCopyOf(api, studyId, image);
});

test("a lost network: uploads wait without failing and go on by themselves once it is back", async ({ page, form }) => {
  const traffic = new BlockTraffic(page);
  proxy.throttle(1_000_000);
  const image = pngImage("offline-scan.png", 4 * 1024 * 1024);
  const small = pngImage("offline-small.png", 100 * 1024);
  await form.open();
  await form.fillTitle("Offline");
  await form.pick([image]);
  await form.label("offline-scan.png").fill("scan");
  await expect.poll(() => traffic.stored.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

  proxy.drop();
  const bar = page.getByRole("group", { name: "Upload status" });
  await expect(bar.getByText("Waiting for the network")).toBeVisible();
  await expect(form.row("offline-scan.png")).toContainText("waiting for the network");
  // A file added while the network is down waits too.
  await form.pick([small]);
  await form.label("offline-small.png").fill("small");
  // Failures used to show about 5 s after the network went; watch for them a while.
  // eslint-disable-next-line no-restricted-properties -- no state to wait for: nothing must fail
  await page.waitForTimeout(3_000);
  await expect(page.getByText(/failed/)).toHaveCount(0);
  await expect(form.retryFailedButton).toHaveCount(0);

  proxy.restore();
  await expect(form.row("offline-scan.png")).toContainText("done", { timeout: 60_000 });
  await expect(form.row("offline-small.png")).toContainText("done");
  await expect(page.getByText(/waiting for the network/i)).toHaveCount(0);
  await form.createButton.click();
  await form.waitForStudyPage("Offline");
});
