/** The access links of issue 5. Mbit/s are decimal (10^6 bit/s), as links are sold. */
export interface NetworkProfile {
  name: string;
  rttMs: number;
  /** `Infinity` means unshaped. */
  uploadBitsPerSecond: number;
}

const MBIT = 1_000_000;

export const NETWORK_PROFILES = {
  lan: { name: "lan", rttMs: 0, uploadBitsPerSecond: Number.POSITIVE_INFINITY },
  office: { name: "office", rttMs: 20, uploadBitsPerSecond: 100 * MBIT },
  home: { name: "home", rttMs: 60, uploadBitsPerSecond: 20 * MBIT },
  far: { name: "far", rttMs: 150, uploadBitsPerSecond: 50 * MBIT },
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
