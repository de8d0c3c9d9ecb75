/**
 * The determinism guard. A run must depend on its scenario alone: strict mode makes the globals
 * that leak real time and randomness (`Math.random`, `Date.now`, `performance.now`, `setTimeout`,
 * `setInterval`) throw `RT_ERR_NONDETERMINISM` while world code runs — every scheduler step and
 * the promise callbacks between steps.
 */
import { NondeterminismDetected } from '@switchboard/runtime';

const g = globalThis as unknown as Record<string, unknown>;
const NAMES = ['setTimeout', 'setInterval'] as const;

/** A guard over the nondeterministic globals. */
export interface GlobalsGuard {
  /** What was called while the guard was in (each call, in order). */
  readonly tripped: readonly string[];
  enter(): void;
  exit(): void;
}

/**
 * Returns a guard whose `enter()` replaces the nondeterministic globals with throwing stubs and
 * whose `exit()` puts the originals back. Enter and exit nest (a counter).
 *
 * @example
 * ```ts
 * const guard = guardGlobals();
 * guard.enter();
 * try { Math.random(); } catch (err) { NondeterminismDetected.is(err); } // true
 * guard.exit();
 * ```
 */
export function guardGlobals(): GlobalsGuard {
  let depth = 0;
  const tripped: string[] = [];
  const saved = {
    random: Math.random,
    now: Date.now,
    perfNow: performance.now.bind(performance),
    timers: NAMES.map((n) => g[n]),
  };
  // The throw may be swallowed (a process crashes on it), so the guard also remembers it.
  const thrower = (what: string) => () => {
    tripped.push(what);
    throw new NondeterminismDetected(what);
  };
  return {
    tripped,
    enter() {
      if (depth++ > 0) return;
      Math.random = thrower('Math.random');
      Date.now = thrower('Date.now');
      performance.now = thrower('performance.now');
      for (const n of NAMES) g[n] = thrower(n);
    },
    exit() {
      if (depth === 0 || --depth > 0) return;
      Math.random = saved.random;
      Date.now = saved.now;
      performance.now = saved.perfNow;
      NAMES.forEach((n, i) => (g[n] = saved.timers[i]));
    },
  };
}
