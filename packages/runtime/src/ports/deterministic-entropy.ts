/** The seeded Entropy: a reproducible stream (xoroshiro128+ from pure-rand). */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { mixSeed } from './seed.js';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Entropy } from './entropy.js';

/**
 * Creates a seeded entropy source: the same seed gives the same ids and jitter.
 *
 * @example
 * ```ts
 * const a = createSeededEntropy(42), b = createSeededEntropy(42);
 * a.id() === b.id(); // true
 * ```
 */
export function createSeededEntropy(seed: number): Entropy {
  const rng = xoroshiro128plus(mixSeed(seed));
  const int = (maxExclusive: number): number =>
    maxExclusive <= 1 ? 0 : uniformInt(rng, 0, maxExclusive - 1);
  return {
    int,
    float: () => uniformInt(rng, 0, 2 ** 30 - 1) / 2 ** 30,
    id: (bytes = 16) => {
      let out = '';
      for (let i = 0; i < bytes; i++) out += int(256).toString(16).padStart(2, '0');
      return out;
    },
  };
}
