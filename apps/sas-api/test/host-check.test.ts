import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorSchema } from "@study-uploader/shared";
import { apiConfigFromEnv } from "../src/config.js";
import { parseEnv } from "../src/env.js";
import { startTestApi, type TestApi } from "./test-api.js";
import { TEST_SECRET, secretAuth } from "./tokens.js";

interface Answer {
  status: number;
  body: string;
}

/** A GET with the Host header a browser on another name would send (fetch does not let a caller choose it). */
function getWithHost(api: TestApi, route: string, host: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.baseUrl}${route}`, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** An HTTP/1.0 request with no Host header at all, as old probes send it. */
function getWithoutHost(api: TestApi, route: string): Promise<number> {
  const { hostname, port } = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${route} HTTP/1.0\r\n\r\n`));
    let head = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (head += chunk));
    socket.on("end", () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on("error", reject);
  });
}

function expectRefused(answer: Answer) {
  expect(answer.status).toBe(403);
  const { error } = apiErrorSchema.parse(JSON.parse(answer.body));
  expect(error.code).toBe("host_not_allowed");
  expect(error.message).toMatch(/ALLOWED_HOSTS/);
}

describe("open (no auth): only local names and ALLOWED_HOSTS are served", () => {
  let api: TestApi;
  let webDist: string;
  let port: string;
  beforeAll(async () => {
    webDist = mkdtempSync(path.join(tmpdir(), "web-dist-"));
    writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Study Uploader</title>");
    const { allowedHosts } = apiConfigFromEnv(parseEnv({ ALLOWED_HOSTS: "uploader.lab.example, 10.0.0.5:8787" }));
    api = await startTestApi({}, { config: { allowedHosts, webDistDir: webDist } });
    port = new URL(api.baseUrl).port;
  });
  afterAll(async () => {
    await api.close();
    rmSync(webDist, { recursive: true, force: true });
  });

  it.each(["/api/studies", "/api/health", "/api/config", "/api/nope", "/", "/studies/some-client-route"])(
    "refuses another site's name on %s",
    async (route) => {
      expectRefused(await getWithHost(api, route, "rebind.evil.example"));
      expectRefused(await getWithHost(api, route, `rebind.evil.example:${port}`));
    },
  );

  it("refuses look-alikes and allowed names on another port", async () => {
    for (const host of ["localhost.evil.example", "uploader.lab.example.evil.example", "10.0.0.5:9999", "0.0.0.0"]) {
      expectRefused(await getWithHost(api, "/api/studies", host));
    }
  });

  it("serves localhost, 127.0.0.1 and [::1] on any port, and the configured hosts", async () => {
    for (const host of [
      `localhost:${port}`,
      "localhost:5173",
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      "uploader.lab.example",
      "uploader.lab.example:443",
      "10.0.0.5:8787",
    ]) {
      expect((await getWithHost(api, "/api/studies", host)).status, host).toBe(200);
    }
    const page = await getWithHost(api, "/", `localhost:${port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Study Uploader");
  });

  it("serves a request with no Host at all (HTTP/1.0): no browser sends one, so it is no rebinding", async () => {
    expect(await getWithoutHost(api, "/api/config")).toBe(200);
  });
});

describe("with auth", () => {
  it("serves any Host while ALLOWED_HOSTS is unset", async () => {
    const { allowedHosts } = apiConfigFromEnv(parseEnv({ AUTH_JWT_SECRET: TEST_SECRET }));
    expect(allowedHosts).toBeNull();
    const api = await startTestApi({}, { config: { auth: secretAuth, allowedHosts } });
    try {
      expect((await getWithHost(api, "/api/config", "uploader.example.org")).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it("checks the Host once ALLOWED_HOSTS is set", async () => {
    const { allowedHosts } = apiConfigFromEnv(
      parseEnv({ AUTH_JWT_SECRET: TEST_SECRET, ALLOWED_HOSTS: "uploader.example.org" }),
    );
    const api = await startTestApi({}, { config: { auth: secretAuth, allowedHosts } });
    try {
      expect((await getWithHost(api, "/api/config", "uploader.example.org")).status).toBe(200);
      expect((await getWithHost(api, "/api/config", "127.0.0.1")).status).toBe(200);
      expectRefused(await getWithHost(api, "/api/config", "evil.example"));
    } finally {
      await api.close();
    }
  });
});
