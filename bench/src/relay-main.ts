import { parseArgs } from "node:util";
import { azuriteConnectionString, startAzurite, type RunningAzurite } from "@study-uploader/sas-api/azurite";
import { startRelayServer } from "./relay-server.js";

/** Runs the old-design relay from the command line; without --blob-endpoint it starts its own in-memory Azurite. */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8790" },
    "blob-endpoint": { type: "string" },
    "cors-origin": { type: "string", multiple: true, default: ["http://127.0.0.1:8787", "http://localhost:8787"] },
  },
});

let azurite: RunningAzurite | undefined;
const blobEndpoint = values["blob-endpoint"] ?? (azurite = await startAzurite({ port: 0 })).blobEndpoint;
const relay = await startRelayServer({
  connectionString: azuriteConnectionString(blobEndpoint),
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
