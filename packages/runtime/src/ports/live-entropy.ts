/** The live Entropy: the OS's cryptographic randomness. */
import { randomBytes, randomInt } from 'node:crypto';
import type { Entropy } from './entropy.js';

/** Creates the live entropy source. */
export function createLiveEntropy(): Entropy {
  return {
    int: (maxExclusive) => (maxExclusive <= 1 ? 0 : randomInt(maxExclusive)),
    float: () => randomInt(2 ** 48) / 2 ** 48,
    id: (bytes = 16) => randomBytes(bytes).toString('hex'),
  };
}
