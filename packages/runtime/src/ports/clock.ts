/**
 * The Clock port: every timer in the runtime — XState `after` delays and delayed sends, call
 * timeouts, supervisor shutdown timeouts, restart-intensity windows — goes through it, so a
 * virtual clock makes them instant and exact in tests.
 */

/** An opaque handle returned by `setTimeout`. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The Clock port. */
export interface Clock {
  /** Milliseconds; monotonic (never goes backwards). */
  now(): number;
  /**
   * Runs `fn` after `ms`. `label` names the timer in deterministic decision logs
   * (`fire:<label>@<n>`); live clocks ignore it.
   */
  setTimeout(fn: () => void, ms: number, label?: string): TimerHandle;
  /** Cancels a timer; cancelling a fired or unknown timer is a no-op. */
  clearTimeout(handle: TimerHandle): void;
}
