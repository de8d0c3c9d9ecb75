/**
 * The bug catalogue: named defects compiled into the real code paths of the channel manager behind
 * a development-only switch, so that the race kit can measure how reliably it finds each one
 * (docs/reference/bug-catalogue.md). Each is the wrong version of a line that a developer could
 * plausibly have written, several of them shipped by EMQX at some point. This module is data
 * only: which switch the code reads depends on the `#bugs` import condition (see package.json).
 */

/** A bug of the catalogue. */
export type BugId = 'B1' | 'B2' | 'B3' | 'B4' | 'B5' | 'B6' | 'B7' | 'B8' | 'B9';

/** One flag per bug: what the bug branches read. */
export type BugFlags = Readonly<Record<BugId, boolean>>;

/**
 * Every bug id, in catalogue order.
 *
 * @example
 * ```ts
 * BUG_IDS.length; // 9
 * ```
 */
export const BUG_IDS: readonly BugId[] = Object.freeze([
  'B1',
  'B2',
  'B3',
  'B4',
  'B5',
  'B6',
  'B7',
  'B8',
  'B9',
]);

/**
 * What each bug does wrong, in one line.
 *
 * @example
 * ```ts
 * console.log(BUG_DESCRIPTIONS.B3);
 * ```
 */
export const BUG_DESCRIPTIONS: Readonly<Record<BugId, string>> = Object.freeze({
  B1: 'the live count is incremented before the client-id lock is taken (lock losers leak a live count)',
  B2: 'the DOWN-batch handler marks dead and cleans only the pids it finds in its pmon',
  B3: 'deliveries arriving after takeover begin go into the already handed-over session (they are lost)',
  B4: 'the old channel arms no timeout after takeover begin (orphaned for ever if the taker dies)',
  B5: 'the taker throws away the phase-1 session when takeover end times out (queued messages lost)',
  B6: 'a second takeover begin resets the pendings of a channel still handing over (pendings lost)',
  B7: "cleanup of an old pid deletes a newer pid's rows for the same client id",
  B8: 'the lock is not released when its holder dies (the client id stays unavailable until the lease)',
  B9: 'a DOWN and a kick racing decrement the live count twice (another channel is counted out)',
});

/**
 * Whether `value` names a bug of the catalogue.
 *
 * @example
 * ```ts
 * isBugId('B1'); // true
 * ```
 */
export function isBugId(value: unknown): value is BugId {
  return typeof value === 'string' && (BUG_IDS as readonly string[]).includes(value);
}
