/** The live Clock: Node's monotonic time and timers. */
import type { Clock } from './clock.js';

/** The longest delay a Node timer holds; longer ones would fire at once, so they are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface LongTimer {
  current: NodeJS.Timeout | undefined;
}

/**
 * Creates the live clock. `now()` is `performance.timeOrigin + performance.now()`: epoch
 * milliseconds that never go backwards, unlike `Date.now()`. Delays beyond Node's limit (about
 * 24.8 days) are waited out in chained timers; `Infinity` never fires.
 */
export function createLiveClock(): Clock {
  const origin = performance.timeOrigin;
  const now = (): number => origin + performance.now();
  return {
    now,
    setTimeout: (fn, ms) => {
      const delay = Math.max(0, ms);
      if (delay <= MAX_TIMER_MS) return setTimeout(fn, delay);
      const handle: LongTimer = { current: undefined };
      if (delay === Infinity) return handle;
      const deadline = now() + delay;
      const arm = (): void => {
        const left = deadline - now();
        handle.current =
          left <= MAX_TIMER_MS ? setTimeout(fn, Math.max(0, left)) : setTimeout(arm, MAX_TIMER_MS);
      };
      arm();
      return handle;
    },
    clearTimeout: (handle) => {
      const long = handle as unknown as Partial<LongTimer> & object;
      if (long && typeof long === 'object' && 'current' in long) clearTimeout(long.current);
      else clearTimeout(handle as unknown as NodeJS.Timeout);
    },
  };
}
