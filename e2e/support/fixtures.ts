import { test as base, expect, type CDPSession, type Page, type Request } from "@playwright/test";
import { createApiClient, type ApiClient } from "@study-uploader/shared";
import { testStorage } from "./azurite-storage.js";
import type { TestImage } from "./test-images.js";

/** The study form, named by role and label the way a user and a screen reader find its parts. */
export class StudyFormPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/");
    await expect(this.title).toBeVisible();
  }

  get title() {
    return this.page.getByRole("textbox", { name: "Title" });
  }
  get description() {
    return this.page.getByRole("textbox", { name: "Description" });
  }
  get fileInput() {
    return this.page.getByLabel("Add images");
  }
  /** "Create study", or "Create study when uploads finish" while images are still on their way. */
  get createButton() {
    return this.page.getByRole("button", { name: /^Create study/ });
  }
  get cancelButton() {
    return this.page.getByRole("button", { name: "Cancel", exact: true });
  }
  get retryFailedButton() {
    return this.page.getByRole("button", { name: "Retry failed", exact: true });
  }
  get totalProgress() {
    return this.page.getByRole("progressbar", { name: "Total upload progress" });
  }
  row(name: string) {
    return this.page.getByRole("listitem").filter({ hasText: name });
  }
  progress(name: string) {
    return this.page.getByRole("progressbar", { name: `Upload progress for ${name}` });
  }
  label(name: string) {
    return this.page.getByRole("textbox", { name: `Label for ${name}` });
  }

  async pick(images: TestImage[]) {
    await this.fileInput.setInputFiles(images.map((i) => i.path));
  }

  /** Drops files on the drop zone with a real DataTransfer, as a drag from the desktop does. */
  async drop(images: TestImage[]) {
    const payload = images.map((i) => ({ name: i.name, type: i.mimeType, base64: i.buffer.toString("base64") }));
    const dataTransfer = await this.page.evaluateHandle((files) => {
      const transfer = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], f.name, { type: f.type }));
      }
      return transfer;
    }, payload);
    const zone = this.page.getByTestId("drop-zone");
    await zone.dispatchEvent("dragenter", { dataTransfer });
    await zone.dispatchEvent("dragover", { dataTransfer });
    await zone.dispatchEvent("drop", { dataTransfer });
  }

  async fillTitle(title: string) {
    await this.title.fill(title);
  }

  /** Waits for the study page the form navigates to after a commit and returns the study's id. */
  async waitForStudyPage(title: string): Promise<string> {
    await expect(this.page.getByRole("heading", { name: title })).toBeVisible({ timeout: 60_000 });
    await expect(this.page).toHaveURL(/\/studies\/[A-Za-z0-9_-]{22}$/);
    return this.page.url().split("/").pop()!;
  }
}

/** All studies, newest first, a page at a time. */
export class StudiesListPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/studies");
    await expect(this.page.getByRole("heading", { name: "Studies", level: 1 })).toBeVisible();
  }

  /** Each listed study's link, in the order shown. */
  get studyLinks() {
    return this.page.getByRole("main").getByRole("listitem").getByRole("link");
  }
  get loadMoreButton() {
    return this.page.getByRole("button", { name: "Load more studies", exact: true });
  }
  get loadingMore() {
    return this.page.getByRole("status").filter({ hasText: "Loading more studies" });
  }
}

/** Storage requests the browser makes, counted at the network level. */
export class UploadTraffic {
  /** PUTs of images (blocks and block lists included); thumbnails, sent beside them outside the pool, are apart. */
  readonly puts: Request[] = [];
  /** PUTs of thumbnails (`{batchId}/{index}-thumb`). */
  readonly thumbnailPuts: Request[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly refreshes: Request[] = [];
  readonly commits: Request[] = [];
  readonly batches: Request[] = [];
  /** POST /api/batches/:id/files: images added to a batch already uploading. */
  readonly additions: Request[] = [];
  /** DELETE /api/batches/:id/files/:index: images removed before the commit. */
  readonly removals: Request[] = [];
  /** Every request to the API, as `METHOD /path`, in order. */
  readonly apiCalls: string[] = [];

  constructor(page: Page) {
    const isStoragePut = (r: Request) => r.method() === "PUT" && r.url().includes("/devstoreaccount1/");
    const isThumbnail = (r: Request) => new URL(r.url()).pathname.endsWith("-thumb");
    const isPut = (r: Request) => isStoragePut(r) && !isThumbnail(r);
    // A request leaves flight at its response (or failure); requestfinished can lag behind the pool's next start.
    const settle = (r: Request) => {
      if (isPut(r)) this.inFlight--;
    };
    page.on("request", (r) => {
      if (isStoragePut(r) && isThumbnail(r)) this.thumbnailPuts.push(r);
      if (isPut(r)) {
        this.puts.push(r);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      }
      const path = new URL(r.url()).pathname;
      if (r.method() === "POST" && path === "/api/batches") this.batches.push(r);
      if (r.method() === "POST" && /^\/api\/batches\/[^/]+\/refresh$/.test(path)) this.refreshes.push(r);
      if (r.method() === "POST" && path === "/api/studies") this.commits.push(r);
      if (r.method() === "POST" && /^\/api\/batches\/[^/]+\/files$/.test(path)) this.additions.push(r);
      if (r.method() === "DELETE" && /^\/api\/batches\/[^/]+\/files\/\d+$/.test(path)) this.removals.push(r);
      if (path.startsWith("/api/")) this.apiCalls.push(`${r.method()} ${path}`);
    });
    page.on("response", (res) => settle(res.request()));
    page.on("requestfailed", settle);
  }

  /** Which file indexes were PUT, in order (blob names are `{batchId}/{index}`). */
  putIndexes(): number[] {
    return this.puts.map((r) => Number(new URL(r.url()).pathname.split("/").pop()));
  }
}

/** Chromium's own throttling: one shared upload link, plus latency per request. */
export async function throttle(
  page: Page,
  options: { uploadBytesPerSecond: number; latencyMs?: number },
): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: options.latencyMs ?? 20,
    downloadThroughput: -1,
    uploadThroughput: options.uploadBytesPerSecond,
  });
  return cdp;
}

interface Fixtures {
  form: StudyFormPage;
  studiesList: StudiesListPage;
  traffic: UploadTraffic;
  /** The product's own API client, from Node, against the API the page talks to. */
  api: ApiClient;
  storage: ReturnType<typeof testStorage>;
}

export const test = base.extend<Fixtures>({
  form: async ({ page }, use) => {
    await use(new StudyFormPage(page));
  },
  studiesList: async ({ page }, use) => {
    await use(new StudiesListPage(page));
  },
  traffic: async ({ page }, use) => {
    await use(new UploadTraffic(page));
  },
  api: async ({ baseURL }, use) => {
    if (!baseURL) throw new Error("The API client needs use.baseURL (playwright.config.ts)");
    await use(createApiClient(baseURL));
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: {} means none
  storage: async ({}, use) => {
    await use(testStorage());
  },
});

export { expect };
