/**
 * The reconnect delay: exponential backoff with a jittered fraction, and the server's
 * `reconnectAfterMs` hint as a floor. A pure function, so tests can check the formula directly.
 */

/** How the client waits between reconnect attempts (see `ReconnectOptions` for the defaults). */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** The fraction of each delay that is random: 0 = none, 1 = full jitter. */
  readonly jitter: number;
}

/**
 * The delay before reconnect attempt `attempt` (1 for the first retry after a connection ends).
 *
 * With `r = random()` in [0, 1):
 * - `base = min(maxDelayMs, initialDelayMs × factor^(attempt − 1))`;
 * - `delay = base × (1 − jitter × r)`, so the delay falls in `[base × (1 − jitter), base]`;
 * - with a server hint `h` (DISCONNECT's `reconnectAfterMs`): `delay = max(delay, h × (1 + jitter × r))`,
 *   never sooner than the server asked, and spread above it so a drained fleet does not come
 *   back all at once.
 *
 * The result is rounded to a whole millisecond.
 *
 * @example
 * ```ts
 * const policy = { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.5 };
 * backoffDelay(3, policy, 0); // 400: base 100 × 2², no random part
 * backoffDelay(3, policy, 0.5); // 300: a quarter of 400 taken off
 * backoffDelay(1, policy, 0.5, 5_000); // 6250: the hint, plus a quarter of it
 * ```
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, r: number, hintMs?: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  const delay = base * (1 - policy.jitter * r);
  const floor = hintMs === undefined ? 0 : hintMs * (1 + policy.jitter * r);
  return Math.round(Math.max(delay, floor));
}
