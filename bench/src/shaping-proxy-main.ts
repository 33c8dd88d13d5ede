import { parseArgs } from "node:util";
import { networkProfile } from "./network-profiles.js";
import { startShapingProxy } from "./shaping-proxy.js";

/** Runs one shaping proxy from the command line, e.g. in front of the Azurite the API started. */
const { values } = parseArgs({
  options: {
    upstream: { type: "string", default: "http://127.0.0.1:10000" },
    profile: { type: "string", default: "home" },
    port: { type: "string", default: "0" },
    "per-connection-mbit": { type: "string" },
    "handshake-round-trips": { type: "string", default: "1" },
    "slow-start": { type: "boolean", default: false },
  },
});

const profile = networkProfile(values.profile);
const perConnectionMbit = values["per-connection-mbit"];
const proxy = await startShapingProxy({
  upstream: values.upstream,
  rttMs: profile.rttMs,
  uploadBitsPerSecond: profile.uploadBitsPerSecond,
  perConnectionBitsPerSecond: perConnectionMbit ? Number(perConnectionMbit) * 1_000_000 : undefined,
  handshakeRoundTrips: Number(values["handshake-round-trips"]),
  slowStart: values["slow-start"],
  port: Number(values.port),
});
process.stdout.write(`shaping proxy (${profile.name}) ${proxy.url} -> ${values.upstream}\n`);

const shutdown = () => void proxy.close().then(() => process.exit(0));
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
