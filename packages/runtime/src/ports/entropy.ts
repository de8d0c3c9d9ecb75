/**
 * The Entropy port: random ids and jitter. Live it reads the OS's randomness; seeded it is a
 * reproducible stream.
 */

/** The Entropy port. */
export interface Entropy {
  /** A uniformly random integer in `[0, maxExclusive)`. */
  int(maxExclusive: number): number;
  /** A uniformly random float in `[0, 1)`. */
  float(): number;
  /** A random hex id of `bytes` bytes (default 16), e.g. an access token. */
  id(bytes?: number): string;
}

/**
 * Spreads `ms` by up to ±`ratio` (0..1) using `entropy`: reconnect backoff, sweep offsets.
 *
 * @example
 * ```ts
 * const delay = jitter(rt.entropy, 1000, 0.2); // somewhere in [800, 1200]
 * ```
 */
export function jitter(entropy: Entropy, ms: number, ratio: number): number {
  const r = Math.min(Math.max(ratio, 0), 1);
  return ms * (1 - r + 2 * r * entropy.float());
}
