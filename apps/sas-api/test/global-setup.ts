import type { TestProject } from "vitest/node";
import { startAzurite } from "../src/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** One real Azurite (in memory, free port) for the whole run; each test file isolates itself by container prefix. */
export default async function setup(project: TestProject) {
  const azurite = await startAzurite({ port: 0 });
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
