/**
 * The bug switch of production builds (`#bugs` under the `default` condition, i.e. `dist/`):
 * every flag is a constant `false` on a frozen object, so a bug branch costs one property read
 * and is never taken, and nothing can turn one on.
 */
import type { BugFlags, BugId } from './bug-catalogue.js';
import { InvalidChannelOption } from '../errors.js';

/**
 * Every flag off, for good.
 *
 * @example
 * ```ts
 * bugs.B1; // false, always
 * ```
 */
export const bugs: BugFlags = Object.freeze({
  B1: false,
  B2: false,
  B3: false,
  B4: false,
  B5: false,
  B6: false,
  B7: false,
  B8: false,
  B9: false,
});

/**
 * Refuses to turn any bug on (turning none on is allowed: it changes nothing).
 *
 * @throws {TypeError} CH_ERR_INVALID_OPTION when `ids` is not empty.
 * @example
 * ```ts
 * switchBugs([]); // fine
 * switchBugs(['B1']); // throws CH_ERR_INVALID_OPTION
 * ```
 */
export function switchBugs(ids: readonly BugId[]): void {
  if (ids.length > 0) {
    throw new InvalidChannelOption(
      `the bug catalogue is compiled out of production builds; load @switchboard/channels with the "source" condition to enable ${ids.join(', ')}`,
    );
  }
}
