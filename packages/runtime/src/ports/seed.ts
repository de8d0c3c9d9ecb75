/**
 * Seed mixing for the seeded ports. xoroshiro128+ seeded with nearby integers (0, 1, 2, …) starts
 * with nearly the same outputs, so a loop over small seeds would explore almost one schedule;
 * splitmix32 spreads every seed over the whole state first.
 */

/** Mixes a 32-bit seed (splitmix32's finaliser). */
export function mixSeed(seed: number): number {
  let z = (seed | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
