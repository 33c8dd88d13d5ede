/*
 * One TCP connection's congestion window, as the shaping proxies see its sender: Reno with slow start, congestion
 * avoidance and a random (non-congestive: wireless, a long path) segment loss. Pure: time is passed in and the
 * random source is injected, so a seeded source gives the same losses every time.
 *
 * Rounds stand for round trips: a connection may send one window per RTT; a full round's acknowledgements grow the
 * window (doubling below ssthresh, one segment per RTT above). Each segment is lost with probability `lossRate`; a
 * round with a loss halves the window (one reduction per round, as NewReno/SACK recovery does) and stalls the
 * connection for one RTT: the lost segment is sent again once the duplicate acknowledgements are back, and nothing
 * after it reaches the receiver before that (for HTTP/2, every stream on the connection waits). Steady state is
 * then about Mathis et al.'s MSS / (RTT·√p) · 1.22, a little under it for the stall.
 *
 * Why Reno and not CUBIC: on every profile here CUBIC would run in its Reno-friendly region (RFC 9438 §4.3), since
 * its own window, 1.054·(RTT^¾ / p^¾) segments, is below Reno's 1.22/√p there (60 ms, 0.1 %: 23 vs 39; 150 ms, 1 %:
 * 8 vs 12), so the two give the same rate.
 */

/** Ethernet MSS; every size in this module is in bytes. */
export const SEGMENT_BYTES = 1460;
/** RFC 6928, Linux's default. */
export const INITIAL_WINDOW_SEGMENTS = 10;
/** Linux's tcp_rto_min: the retransmission timeout is about RTT + 200 ms on a steady path. */
const MIN_RTO_MS = 200;
/** Reno's multiplicative decrease. */
const RENO_BETA = 0.5;

export interface CongestionWindowOptions {
  rttMs: number;
  /** Probability that one segment is lost, 0 ≤ p < 1 (0.001 = 0.1 %). */
  lossRate: number;
  /** Uniform in [0, 1); seeded in tests and per connection in the bench (seededRandom). */
  random: () => number;
}

/** mulberry32: small, fast and good enough to draw losses; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mathis et al. (1997): the rate one Reno connection settles at under random loss, in bit/s; Infinity at p = 0. */
export function mathisBitsPerSecond(rttMs: number, lossRate: number): number {
  if (lossRate <= 0 || rttMs <= 0) return Number.POSITIVE_INFINITY;
  return (1.22 * SEGMENT_BYTES * 8) / ((rttMs / 1000) * Math.sqrt(lossRate));
}

export class CongestionWindow {
  windowBytes = INITIAL_WINDOW_SEGMENTS * SEGMENT_BYTES;
  /** Slow start until the first loss. */
  slowStartThresholdBytes = Number.POSITIVE_INFINITY;
  /** Rounds that lost a segment: each halved the window and stalled the connection one RTT. */
  losses = 0;
  private roundStartedAt = Number.NEGATIVE_INFINITY;
  private bytesThisRound = 0;
  private lastSendAt = Number.NEGATIVE_INFINITY;
  private readonly rtoMs: number;

  constructor(private readonly options: CongestionWindowOptions) {
    if (!(options.lossRate >= 0 && options.lossRate < 1))
      throw new Error(`loss rate must be in [0, 1), got ${options.lossRate}`);
    this.rtoMs = options.rttMs + MIN_RTO_MS;
  }

  /**
   * Books `bytes` that the sender has ready at `at`; returns when they may start to leave. A chunk larger than what
   * is left of this round's window spills into the next rounds, and the time returned is that of its last part.
   */
  reserve(bytes: number, at: number): number {
    this.restartAfterIdle(at);
    const { rttMs } = this.options;
    if (at >= this.roundStartedAt + rttMs) this.startRound(at);
    let remaining = bytes;
    let sendAt = Math.max(at, this.roundStartedAt);
    for (;;) {
      const part = Math.min(remaining, Math.max(0, this.windowBytes - this.bytesThisRound));
      if (part > 0) {
        this.bytesThisRound += part;
        remaining -= part;
        if (this.lostAny(part)) {
          // Halve now; the retransmission (and everything after the hole) arrives one RTT later.
          this.losses += 1;
          this.slowStartThresholdBytes = Math.max(2 * SEGMENT_BYTES, Math.floor(this.windowBytes * RENO_BETA));
          this.windowBytes = this.slowStartThresholdBytes;
          sendAt += rttMs;
          this.roundStartedAt = sendAt;
          this.bytesThisRound = 0;
        }
      }
      if (remaining <= 0) break;
      // The window is full: the next round starts when this one's acknowledgements are back.
      this.startRound(this.roundStartedAt + rttMs);
      sendAt = this.roundStartedAt;
    }
    this.lastSendAt = sendAt;
    return sendAt;
  }

  /** Acknowledgements of the round that ends grow the window by what they acknowledged (less if it was not full). */
  private startRound(at: number): void {
    const acked = Math.min(this.bytesThisRound, this.windowBytes);
    if (this.windowBytes < this.slowStartThresholdBytes) {
      this.windowBytes = Math.min(this.windowBytes + acked, Math.max(this.slowStartThresholdBytes, this.windowBytes));
    } else {
      this.windowBytes += Math.floor((SEGMENT_BYTES * acked) / this.windowBytes);
    }
    this.roundStartedAt = at;
    this.bytesThisRound = 0;
  }

  /**
   * Linux (tcp_slow_start_after_idle, on by default): after an idle RTO the window halves once per RTO idle, down to
   * the initial window, and ssthresh keeps ¾ of the old window, so the connection climbs back in slow start.
   */
  private restartAfterIdle(at: number): void {
    let idle = at - this.lastSendAt;
    if (!Number.isFinite(idle) || idle <= this.rtoMs) return;
    const restartWindow = Math.min(this.windowBytes, INITIAL_WINDOW_SEGMENTS * SEGMENT_BYTES);
    this.slowStartThresholdBytes = Number.isFinite(this.slowStartThresholdBytes)
      ? Math.max(this.slowStartThresholdBytes, Math.floor(this.windowBytes * 0.75))
      : this.slowStartThresholdBytes;
    while ((idle -= this.rtoMs) > 0 && this.windowBytes > restartWindow)
      this.windowBytes = Math.max(restartWindow, Math.floor(this.windowBytes / 2));
    this.roundStartedAt = at;
    this.bytesThisRound = 0;
  }

  /** Whether any of the segments in `bytes` is lost (a partial segment counts by its share). */
  private lostAny(bytes: number): boolean {
    const { lossRate, random } = this.options;
    if (lossRate === 0) return false;
    return random() < 1 - (1 - lossRate) ** (bytes / SEGMENT_BYTES);
  }
}
