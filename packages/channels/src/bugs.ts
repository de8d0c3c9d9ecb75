/**
 * `@switchboard/channels/bugs`: the switch of the bug catalogue (docs/reference/bug-catalogue.md),
 * for the race kit and tests. Under the `source` condition (vitest, `node --conditions=source`)
 * bugs can be turned on; in a production build (`dist/`, the `default` condition) every bug is
 * compiled to a constant `false` and `enableBugs` refuses.
 */
import { BUG_DESCRIPTIONS, BUG_IDS, isBugId } from './internal/bug-catalogue.js';
import type { BugId } from './internal/bug-catalogue.js';
import { InvalidChannelOption } from './errors.js';
import { bugs, switchBugs } from '#bugs';

export { BUG_DESCRIPTIONS, BUG_IDS };
export type { BugId };

/**
 * Turns the given bugs on and every other one off. Returns a function that restores the set
 * that was on before.
 *
 * @throws {TypeError} CH_ERR_INVALID_OPTION for an unknown bug id, or for any bug in a production build.
 * @example
 * ```ts
 * const restore = enableBugs(['B3']);
 * try {
 *   // run a race test that must catch B3
 * } finally {
 *   restore();
 * }
 * ```
 */
export function enableBugs(ids: readonly BugId[]): () => void {
  const unknown = ids.filter((id) => !isBugId(id));
  if (unknown.length > 0)
    throw new InvalidChannelOption(`unknown bug ids: ${unknown.map(String).join(', ')}`);
  const previous = enabledBugs();
  switchBugs(ids);
  return () => switchBugs(previous);
}

/**
 * The bugs that are on, in catalogue order.
 *
 * @example
 * ```ts
 * enabledBugs(); // [] by default
 * ```
 */
export function enabledBugs(): readonly BugId[] {
  return BUG_IDS.filter((id) => bugs[id]);
}
