/**
 * The access links of issue 5, and two with loss (issue 22). Mbit/s are decimal (10^6 bit/s), as links are sold.
 */
export interface NetworkProfile {
  name: string;
  rttMs: number;
  /** `Infinity` means unshaped. */
  uploadBitsPerSecond: number;
  /** Probability that one uplink segment is lost; above 0 every connection runs its own congestion window. */
  lossRate: number;
}

const MBIT = 1_000_000;

export const NETWORK_PROFILES = {
  lan: { name: "lan", rttMs: 0, uploadBitsPerSecond: Number.POSITIVE_INFINITY, lossRate: 0 },
  office: { name: "office", rttMs: 20, uploadBitsPerSecond: 100 * MBIT, lossRate: 0 },
  home: { name: "home", rttMs: 60, uploadBitsPerSecond: 20 * MBIT, lossRate: 0 },
  far: { name: "far", rttMs: 150, uploadBitsPerSecond: 50 * MBIT, lossRate: 0 },
  // Home's link over Wi-Fi: one connection settles near 7.5 Mbit/s (Mathis), well under the 20 it shares.
  "home-wifi": { name: "home-wifi", rttMs: 60, uploadBitsPerSecond: 20 * MBIT, lossRate: 0.001 },
  // A long path with 1 % loss (a poor mobile or intercontinental link): about 0.95 Mbit/s per connection.
  "far-lossy": { name: "far-lossy", rttMs: 150, uploadBitsPerSecond: 50 * MBIT, lossRate: 0.01 },
} as const satisfies Record<string, NetworkProfile>;

export type NetworkProfileName = keyof typeof NETWORK_PROFILES;

export function networkProfile(name: string): NetworkProfile {
  if (!(name in NETWORK_PROFILES)) {
    throw new Error(`unknown network profile "${name}"; known: ${Object.keys(NETWORK_PROFILES).join(", ")}`);
  }
  return NETWORK_PROFILES[name as NetworkProfileName];
}

export function formatBitsPerSecond(bitsPerSecond: number): string {
  return Number.isFinite(bitsPerSecond) ? `${(bitsPerSecond / MBIT).toFixed(1)} Mbit/s` : "unshaped";
}

/** "60 ms, 20.0 Mbit/s, 0.1 % loss". */
export function describeProfile(profile: NetworkProfile): string {
  const loss = profile.lossRate > 0 ? `, ${(profile.lossRate * 100).toFixed(1)} % loss` : "";
  return `${profile.rttMs} ms, ${formatBitsPerSecond(profile.uploadBitsPerSecond)}${loss}`;
}
