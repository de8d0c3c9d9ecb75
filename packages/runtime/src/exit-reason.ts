/**
 * Exit reasons and Erlang's rules about them: which reasons are "normal", which a link
 * propagates, and how a reason reads in logs.
 */

/**
 * Why a process ended. `'normal'` and the shutdown forms are orderly exits; `'killed'` follows
 * an untrappable `'kill'`; `{ error }` is a crash (a thrown action, a failed invariant).
 */
export type ExitReason =
  'normal' | 'shutdown' | { readonly shutdown: unknown } | 'killed' | { readonly error: unknown };

/** What `exit(pid, reason)` accepts: any exit reason, or the untrappable `'kill'`. */
export type ExitSignal = ExitReason | 'kill';

/** The reason a monitor reports for a process that did not exist when it was monitored. */
export type DownReason = ExitReason | 'noproc';

/** True for `'normal'`. */
export function isNormal(reason: DownReason): boolean {
  return reason === 'normal';
}

/** True for `'shutdown'` and `{ shutdown: x }`. */
export function isShutdown(reason: DownReason): boolean {
  return reason === 'shutdown' || (typeof reason === 'object' && 'shutdown' in reason);
}

/**
 * True when a transient child ending with this reason should not be restarted
 * (OTP: normal, shutdown and `{shutdown, _}`).
 */
export function isOrderly(reason: DownReason): boolean {
  return isNormal(reason) || isShutdown(reason);
}

/** True for a crash: `{ error }`. */
export function isCrash(reason: DownReason): reason is { readonly error: unknown } {
  return typeof reason === 'object' && 'error' in reason;
}

/** A short, log-safe rendering of a reason (never a payload dump). */
export function formatReason(reason: DownReason | ExitSignal): string {
  if (typeof reason === 'string') return reason;
  if ('shutdown' in reason) return `shutdown:${String(reason.shutdown)}`;
  const err = reason.error;
  if (err instanceof Error) return `error:${err.name}: ${err.message}`;
  return `error:${String(err)}`;
}

/** True for a value that is a valid exit signal. */
export function isExitSignal(value: unknown): value is ExitSignal {
  if (value === 'normal' || value === 'shutdown' || value === 'killed' || value === 'kill') return true;
  if (typeof value !== 'object' || value === null) return false;
  return 'shutdown' in value || 'error' in value;
}
