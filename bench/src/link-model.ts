import { performance } from "node:perf_hooks";
import { sleep } from "@study-uploader/shared";
import { CongestionWindow, seededRandom } from "./congestion-window.js";

/** Milliseconds on a monotonic clock; every time in this module uses it. */
export const now = (): number => performance.now();

/** Resolves no earlier than `at` (setTimeout may wake a fraction of a millisecond early, so it checks again). */
export async function sleepUntil(at: number): Promise<void> {
  for (let wait = at - now(); wait > 0; wait = at - now()) {
    await sleep(Math.ceil(wait));
  }
}

/**
 * One link that sends bytes one after another at a fixed rate, first come first served; every sender that
 * books on the same instance shares it. Booking is a virtual clock, not a polled bucket: exact, and no timer per byte.
 */
export class BandwidthLimiter {
  readonly bytesPerMs: number;
  private nextFreeAt = Number.NEGATIVE_INFINITY;

  /**
   * @param burstMs how far the link may run behind the clock: an idle link sends this much at once, and a late
   * timer does not lose throughput. Small, so a burst barely shows in transfers of a second or more.
   */
  constructor(
    bitsPerSecond: number,
    private readonly burstMs = 5,
  ) {
    if (!(bitsPerSecond > 0)) throw new Error(`bandwidth must be positive, got ${bitsPerSecond}`);
    this.bytesPerMs = bitsPerSecond / 8 / 1000;
  }

  /** Time the link needs to send `bytes`, in ms. */
  durationOf(bytes: number): number {
    return bytes / this.bytesPerMs;
  }

  /** Books `bytes` no earlier than `notBefore`; returns when their last byte has left. */
  reserve(bytes: number, notBefore = now()): number {
    const start = Math.max(this.nextFreeAt, notBefore - this.burstMs);
    this.nextFreeAt = start + this.durationOf(bytes);
    return this.nextFreeAt;
  }
}

/**
 * Delivers actions in the order pushed, each no earlier than its due time: one direction of a link's propagation
 * delay. `pendingBytes` is what sits "on the wire", so readers can stop reading when too much is in flight.
 */
export class DelayLine {
  pendingBytes = 0;
  private tail: Promise<void> = Promise.resolve();

  /** `onError` gets what a delivery throws; the line keeps going so later deliveries (like an `end`) still run. */
  constructor(private readonly onError: (error: unknown) => void) {}

  push(dueAt: number, bytes: number, deliver: () => void): void {
    this.pendingBytes += bytes;
    this.tail = this.tail.then(async () => {
      await sleepUntil(dueAt);
      this.pendingBytes -= bytes;
      try {
        deliver();
      } catch (error) {
        this.onError(error);
      }
    });
  }

  /** Resolves once everything pushed so far has been delivered. */
  drained(): Promise<void> {
    return this.tail;
  }
}

/** What a link is asked to be: its round trip, its uplink (`Infinity` leaves bodies unshaped) and its loss. */
export interface LinkProfile {
  rttMs: number;
  uploadBitsPerSecond: number;
  /** Probability that one uplink segment is lost (0.001 = 0.1 %); 0 or absent: none, and no congestion window. */
  lossRate?: number;
}

/**
 * One researcher's access link. Proxies given the same SharedLink book their request bodies on one uplink, so
 * the API, storage and relay legs compete for the bandwidth as they would on a real link.
 */
export interface SharedLink extends LinkProfile {
  /** Undefined when the uplink is unshaped. */
  uplink?: BandwidthLimiter;
}

export function createSharedLink(profile: LinkProfile): SharedLink {
  const { rttMs, uploadBitsPerSecond, lossRate = 0 } = profile;
  return {
    rttMs,
    uploadBitsPerSecond,
    lossRate,
    uplink: Number.isFinite(uploadBitsPerSecond) ? new BandwidthLimiter(uploadBitsPerSecond) : undefined,
  };
}

/** How each connection is modelled beyond the link it shares. */
export interface ConnectionModel {
  /** Optional cap for each connection on top of the shared one. */
  perConnectionBitsPerSecond?: number;
  /** Round trips a new connection spends before its first request: 1 for TCP (default), 2 for TCP + TLS 1.3. */
  handshakeRoundTrips?: number;
  /**
   * Model TCP slow start on each connection even without loss (default off: on a lossless link only the link limits
   * a connection). A link with loss always gives each connection a congestion window.
   */
  slowStart?: boolean;
}

/** One client connection as the model sees it. */
export interface ModelledConnection {
  /** When the modelled handshake is over and the first request may leave. */
  readyAt: number;
  limiter?: BandwidthLimiter;
  window?: CongestionWindow;
}

/** Each connection draws its losses from its own seed, so a run's sequence of connections replays the same losses. */
let connectionsOpened = 0;

/**
 * A connection opening now on `link`: it pays its handshake first (its packets are never lost: a lost SYN would
 * cost a 1 s timeout, which the model leaves out). Lossless and without `slowStart` it gets no window at all, the
 * model every lossless profile ran before losses were modelled.
 */
export function openConnection(link: LinkProfile, model: ConnectionModel): ModelledConnection {
  const lossRate = link.lossRate ?? 0;
  connectionsOpened += 1;
  return {
    readyAt: now() + (model.handshakeRoundTrips ?? 1) * link.rttMs,
    limiter: model.perConnectionBitsPerSecond ? new BandwidthLimiter(model.perConnectionBitsPerSecond) : undefined,
    window:
      model.slowStart || lossRate > 0
        ? new CongestionWindow({ rttMs: link.rttMs, lossRate, random: seededRandom(connectionsOpened) })
        : undefined,
  };
}

/** Sends `bytes` of a connection over the modelled uplink; resolves when their last byte has left, with that time. */
export async function sendOverUplink(
  bytes: number,
  connection: ModelledConnection,
  uplink: BandwidthLimiter | undefined,
): Promise<number> {
  let readyAt = now();
  if (connection.window) readyAt = connection.window.reserve(bytes, readyAt);
  if (connection.limiter) {
    const leftConnectionAt = connection.limiter.reserve(bytes, readyAt);
    // Start on the shared link so both finish together: the slower of the two sets the pace.
    readyAt = uplink ? leftConnectionAt - uplink.durationOf(bytes) : leftConnectionAt;
  }
  // Book the shared link only once this chunk may really go, so it never holds a slot others could use.
  await sleepUntil(readyAt);
  const leftAt = uplink ? uplink.reserve(bytes, readyAt) : readyAt;
  await sleepUntil(leftAt);
  return leftAt;
}

/**
 * HTTP/2 flow control as the sender sees it: at most `windowBytes` unacknowledged, and the receiver's WINDOW_UPDATE
 * for a byte comes back one RTT after the byte left. So whatever the link, one window carries at most
 * window ÷ RTT (64 KiB on a 150 ms link: 3.5 Mbit/s).
 */
export class FlowWindow {
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly windowBytes: number) {
    if (!(windowBytes > 0)) throw new Error(`window must be positive, got ${windowBytes}`);
  }

  /** Resolves once `bytes` fit in the window, and books them. A chunk larger than the window goes alone. */
  async acquire(bytes: number): Promise<void> {
    while (this.inFlight > 0 && this.inFlight + bytes > this.windowBytes) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight += bytes;
  }

  /** The acknowledgement of `bytes` arrives at `at`: they leave the window then. */
  acknowledgeAt(bytes: number, at: number): void {
    setTimeout(
      () => {
        this.inFlight -= bytes;
        for (const wake of this.waiters.splice(0)) wake();
      },
      Math.max(0, at - now()),
    );
  }
}
