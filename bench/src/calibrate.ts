import { parseArgs } from "node:util";
import { MIB } from "./bench-plan.js";
import { NETWORK_PROFILES, networkProfile } from "./network-profiles.js";
import { calibrateProxy, type ProxyCalibration } from "./proxy-calibration.js";
import { calibrationTable } from "./report-markdown.js";
import { startSinkServer } from "./sink-server.js";

/** Prints what the shaping proxy delivers for each profile next to what was asked (see proxy-calibration.ts). */
const { values } = parseArgs({
  options: {
    profile: { type: "string", multiple: true },
    "single-mib": { type: "string", default: "8" },
    parallel: { type: "string", default: "6" },
    "parallel-mib": { type: "string", default: "2" },
    "rtt-samples": { type: "string", default: "10" },
    "per-connection-mbit": { type: "string" },
    "slow-start": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

const perConnectionMbit = values["per-connection-mbit"];
const profiles = (values.profile ?? Object.keys(NETWORK_PROFILES)).map(networkProfile);
const options = {
  singleBytes: Number(values["single-mib"]) * MIB,
  parallel: Number(values.parallel),
  parallelBytes: Number(values["parallel-mib"]) * MIB,
  rttSamples: Number(values["rtt-samples"]),
  perConnectionBitsPerSecond: perConnectionMbit ? Number(perConnectionMbit) * 1_000_000 : undefined,
  slowStart: values["slow-start"],
};

const sink = await startSinkServer();
const results: ProxyCalibration[] = [];
try {
  for (const profile of profiles) results.push(await calibrateProxy(profile, sink.url, options));
} finally {
  await sink.close();
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  process.stdout.write(
    `${calibrationTable(results)}\n\nThroughput = bytes ÷ (elapsed − keep-alive RTT). A new connection costs ${values["slow-start"] ? "a handshake RTT plus slow start" : "one handshake RTT"} on top.\n`,
  );
}
