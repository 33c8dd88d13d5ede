import { parseArgs } from "node:util";
import { startAzurite, type RunningAzurite } from "@study-uploader/sas-api/azurite";
import { startRelayServer } from "./relay-server.js";

/**
 * Runs the old-design relay from the command line against AZURE_STORAGE_CONNECTION_STRING (in the environment:
 * it holds a key); without it, against an in-memory Azurite of its own.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8790" },
    "cors-origin": { type: "string", multiple: true, default: ["http://127.0.0.1:8787", "http://localhost:8787"] },
  },
});

let azurite: RunningAzurite | undefined;
const connectionString =
  process.env.AZURE_STORAGE_CONNECTION_STRING ?? (azurite = await startAzurite({ port: 0 })).connectionString;
const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? "the account";
const relay = await startRelayServer({
  connectionString,
  corsOrigins: values["cors-origin"],
  port: Number(values.port),
});
process.stdout.write(`relay ${relay.url}/relay/studies -> ${blobEndpoint}\n`);

const shutdown = async () => {
  await relay.close();
  await azurite?.stop();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
