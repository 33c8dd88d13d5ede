import { parseArgs } from "node:util";
import { NETWORK_PROFILES, formatBitsPerSecond, networkProfile } from "./network-profiles.js";
import { calibrateProxy, describeThroughput, type ProxyCalibration } from "./proxy-calibration.js";
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

const MIB = 1024 * 1024;
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
  const rows = results.map((r) => ({
    profile: r.profile,
    "RTT asked": `${r.askedRttMs} ms`,
    "RTT (keep-alive)": `${r.keepAliveRttMs.toFixed(1)} ms`,
    "new connection": `${r.newConnectionMs.toFixed(1)} ms`,
    "upload asked": formatBitsPerSecond(r.askedBitsPerSecond),
    [`1×${values["single-mib"]} MiB PUT`]: `${describeThroughput(r.singlePutBitsPerSecond, r.askedBitsPerSecond)} in ${r.singlePutMs.toFixed(0)} ms`,
    [`${r.parallel}×${values["parallel-mib"]} MiB PUT`]: `${describeThroughput(r.parallelPutBitsPerSecond, r.askedBitsPerSecond)} in ${r.parallelPutMs.toFixed(0)} ms`,
  }));
  console.table(rows);
  process.stdout.write(
    `Throughput = bytes ÷ (elapsed − keep-alive RTT). A new connection costs ${values["slow-start"] ? "a handshake RTT plus slow start" : "one handshake RTT"} on top.\n`,
  );
}
