import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startAzurite } from "../src/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    tls: { certPath: string; keyPath: string };
  }
}

/** A throw-away self-signed certificate for an HTTPS Azurite on 127.0.0.1. */
function selfSignedCertificate(dir: string) {
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: "ignore" },
  );
  return { certPath, keyPath };
}

/**
 * One real Azurite (in memory, free port) for the whole run; each test file isolates itself by container prefix.
 * Also a certificate for the tests that need HTTPS: Node reads NODE_EXTRA_CA_CERTS only at start, so it is set
 * here, before the test workers are forked, and they trust it for the SDK and fetch alike.
 */
export default async function setup(project: TestProject) {
  const tlsDir = mkdtempSync(path.join(tmpdir(), "sas-api-tls-"));
  const tls = selfSignedCertificate(tlsDir);
  process.env.NODE_EXTRA_CA_CERTS = tls.certPath;
  project.provide("tls", tls);
  const azurite = await startAzurite({ port: 0 });
  project.provide("azuriteConnectionString", azurite.connectionString);
  return async () => {
    await azurite.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  };
}
