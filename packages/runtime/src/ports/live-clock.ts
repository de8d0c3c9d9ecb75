/** The live Clock: Node's monotonic time and timers. */
import type { Clock } from './clock.js';

/**
 * Creates the live clock. `now()` is `performance.timeOrigin + performance.now()`: epoch
 * milliseconds that never go backwards, unlike `Date.now()`.
 */
export function createLiveClock(): Clock {
  const origin = performance.timeOrigin;
  return {
    now: () => origin + performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
    clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
  };
}
