import { describe, expect, it } from "vitest";
import { AdaptiveConcurrency } from "./adaptive-concurrency.js";
import type { PutBlobOutcome } from "./blob-transport.js";
import { meteredTransport } from "./metered-transport.js";

function controllerSpy() {
  const controller = new AdaptiveConcurrency({ start: 8, max: 8, now: () => 0 });
  const heard = { started: 0, bytes: 0, ended: [] as { ok: boolean; stalled?: boolean }[] };
  controller.requestStarted = () => void heard.started++;
  controller.sent = (bytes) => void (heard.bytes += bytes);
  controller.requestEnded = (end) => void heard.ended.push(end);
  return { controller, heard };
}

const request = (onProgress: (sent: number) => void = () => undefined) => ({
  url: "http://storage/x",
  headers: {},
  body: new Blob(["abc"]),
  signal: new AbortController().signal,
  onProgress,
});

describe("meteredTransport", () => {
  it("reports each request's start, its bytes once each, and how it ended", async () => {
    const { controller, heard } = controllerSpy();
    const seen: number[] = [];
    const transport = meteredTransport(
      async (r) => {
        for (const sent of [1, 3, 2, 3]) r.onProgress(sent);
        return { kind: "response", status: 201, errorCode: null };
      },
      () => controller,
    );
    await transport(request((sent) => seen.push(sent)));
    expect(heard).toEqual({ started: 1, bytes: 3, ended: [{ ok: true, stalled: false }] });
    expect(seen).toEqual([1, 3, 2, 3]);
  });

  it.each<[PutBlobOutcome, boolean]>([
    [{ kind: "network-error" }, false],
    [{ kind: "stalled", afterMs: 20_000 }, false],
    [{ kind: "response", status: 503, errorCode: "ServerBusy" }, false],
    [{ kind: "response", status: 400, errorCode: "Md5Mismatch" }, true],
    [{ kind: "aborted" }, true],
  ])("counts only what says something of the link as a failure: %j", async (outcome, ok) => {
    const { controller, heard } = controllerSpy();
    await meteredTransport(
      async () => outcome,
      () => controller,
    )(request());
    expect(heard.ended[0]!.ok).toBe(ok);
  });
});
