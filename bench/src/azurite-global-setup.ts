import type { TestProject } from "vitest/node";
import { startAzurite } from "@study-uploader/sas-api/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuriteBlobEndpoint: string;
  }
}

/**
 * One real Azurite (in memory, free port) for the run. It lives outside the test workers because Azurite's
 * graceful stop waits for the SDK's kept-alive connections, which close only when the workers exit.
 */
export default async function setup(project: TestProject) {
  const azurite = await startAzurite({ port: 0 });
  project.provide("azuriteConnectionString", azurite.connectionString);
  project.provide("azuriteBlobEndpoint", azurite.blobEndpoint);
  return () => azurite.stop();
}
