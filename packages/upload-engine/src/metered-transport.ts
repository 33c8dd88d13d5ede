import type { AdaptiveConcurrency } from "./adaptive-concurrency.js";
import type { BlobTransport } from "./blob-transport.js";

/**
 * Tells the pool's controller what each request delivers: its start, the bytes as they leave, and how it ended.
 * Only what says something of the link counts against it: no answer, a stall or a 5xx; a pause, a removal or a
 * refusal of the file itself does not.
 */
export function meteredTransport(
  transport: BlobTransport,
  controllerNow: () => AdaptiveConcurrency | null,
): BlobTransport {
  return async (request) => {
    const controller = controllerNow();
    if (!controller) return transport(request);
    controller.requestStarted();
    let reported = 0;
    const outcome = await transport({
      ...request,
      onProgress: (sent) => {
        if (sent > reported) controller.sent(sent - reported);
        reported = Math.max(reported, sent);
        request.onProgress(sent);
      },
    });
    const linkFailed =
      outcome.kind === "network-error" ||
      outcome.kind === "stalled" ||
      (outcome.kind === "response" && outcome.status >= 500);
    controller.requestEnded({ ok: !linkFailed, stalled: outcome.kind === "stalled" });
    return outcome;
  };
}
