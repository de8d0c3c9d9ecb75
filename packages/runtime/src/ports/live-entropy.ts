/** The live Entropy: the OS's cryptographic randomness. */
import { randomBytes, randomInt } from 'node:crypto';
import type { Entropy } from './entropy.js';

/** Creates the live entropy source. */
export function createLiveEntropy(): Entropy {
  return {
    int: (maxExclusive) => (maxExclusive <= 1 ? 0 : randomInt(maxExclusive)),
    // 48 random bits over 2^48: uniform in [0, 1). (`randomInt` refuses a bound of 2^48.)
    float: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
    id: (bytes = 16) => randomBytes(bytes).toString('hex'),
  };
}
