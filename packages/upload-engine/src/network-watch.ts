import { ApiRequestError, sleep } from "@study-uploader/shared";
import type { BlobTransport } from "./blob-transport.js";

/** Asks whether storage can be reached now: true when anything answers, false when nothing does. */
export type NetworkProbe = (signal: AbortSignal) => Promise<boolean>;

/** Probes after the network was lost: quick at first, then every few seconds. */
const PROBE_DELAY_MS = { first: 1_000, max: 5_000 };
/** A probe that hangs this long counts as no answer. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether storage can be reached, judged by a probe and not only by `navigator.onLine` (which says nothing of a
 * dropped link behind a working interface). A request that fails on the way asks `reachable()`: one probe, shared by
 * every request that asks at once. When nothing answers, the watch is offline and probes on until something does;
 * `whenOnline` waits for that. Without a probe the network is taken as always there (the old behaviour: failures
 * count).
 */
export class NetworkWatch {
  #online = true;
  #probe: Promise<boolean> | null = null;
  #waiters = new Set<() => void>();
  #stopped = new AbortController();

  constructor(
    private readonly probe: NetworkProbe | null,
    private readonly onChange: (online: boolean) => void,
  ) {}

  get online(): boolean {
    return this.#online;
  }

  /** A request failed without an answer: true when storage still answers (a real failure), false when offline. */
  async reachable(): Promise<boolean> {
    if (!this.probe) return true;
    if (!this.#online) return false;
    const answered = await this.#probeOnce();
    if (!answered) this.#goOffline();
    return answered;
  }

  /** The browser's own online/offline events: offline is believed at once, online is checked with a probe. */
  browserSays(online: boolean): void {
    if (!this.probe) return;
    if (!online) this.#goOffline();
    else if (!this.#online) void this.#probeOnce().then((answered) => answered && this.#goOnline());
  }

  /** Resolves when storage can be reached (at once when it can); rejects when `signal` aborts. */
  whenOnline(signal: AbortSignal): Promise<void> {
    if (this.#online) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        signal.removeEventListener("abort", abort);
        this.#waiters.delete(done);
        resolve();
      };
      const abort = () => {
        this.#waiters.delete(done);
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", abort, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Stops probing (the session is gone). */
  stop(): void {
    this.#stopped.abort();
  }

  #probeOnce(): Promise<boolean> {
    this.#probe ??= (async () => {
      try {
        const signal = AbortSignal.any([this.#stopped.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]);
        return await this.probe!(signal);
      } catch {
        return false;
      } finally {
        this.#probe = null;
      }
    })();
    return this.#probe;
  }

  #goOffline(): void {
    if (!this.#online) return;
    this.#online = false;
    this.onChange(false);
    void this.#probeUntilOnline();
  }

  #goOnline(): void {
    if (this.#online) return;
    this.#online = true;
    this.onChange(true);
    for (const waiter of [...this.#waiters]) waiter();
  }

  async #probeUntilOnline(): Promise<void> {
    for (let delay = PROBE_DELAY_MS.first; !this.#online; delay = Math.min(delay * 1.5, PROBE_DELAY_MS.max)) {
      try {
        await sleep(delay, this.#stopped.signal);
      } catch {
        return;
      }
      if (await this.#probeOnce()) this.#goOnline();
    }
  }
}

/** No answer at all (the API client's `network_error`, or a fetch that failed): the network may be down. */
const isNetworkFailure = (error: unknown) =>
  (error instanceof ApiRequestError && error.code === "network_error") || error instanceof TypeError;

/** Calls the API; a call that got no answer because the network is down is made again once it is back. */
export async function callThroughOutages<T>(
  network: NetworkWatch,
  call: () => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isNetworkFailure(error) || (await network.reachable())) throw error;
      await network.whenOnline(signal);
    }
  }
}

/** A transport whose requests that got no answer because the network is down are sent again once it is back. */
export function sendThroughOutagesOf(network: NetworkWatch, transport: BlobTransport): BlobTransport {
  return async (request) => {
    for (;;) {
      const outcome = await transport(request);
      const noAnswer = outcome.kind === "network-error" || outcome.kind === "stalled";
      if (!noAnswer || request.signal.aborted || (await network.reachable())) return outcome;
      try {
        await network.whenOnline(request.signal);
      } catch {
        return { kind: "aborted" };
      }
    }
  };
}
