/**
 * The bug switch of development builds (`#bugs` under the `source` condition: tests, benchmarks,
 * the race kit): one mutable flag per bug, all off until `switchBugs` turns some on.
 */
import { BUG_IDS } from './bug-catalogue.js';
import type { BugFlags, BugId } from './bug-catalogue.js';

const flags: Record<BugId, boolean> = {
  B1: false,
  B2: false,
  B3: false,
  B4: false,
  B5: false,
  B6: false,
  B7: false,
  B8: false,
  B9: false,
};

/**
 * The flags the bug branches read (`if (bugs.B1) …`).
 *
 * @example
 * ```ts
 * bugs.B1; // false unless switched on
 * ```
 */
export const bugs: BugFlags = flags;

/**
 * Turns exactly `ids` on and every other bug off.
 *
 * @example
 * ```ts
 * switchBugs(['B3']);
 * ```
 */
export function switchBugs(ids: readonly BugId[]): void {
  for (const id of BUG_IDS) flags[id] = ids.includes(id);
}
