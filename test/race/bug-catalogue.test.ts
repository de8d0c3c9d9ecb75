/**
 * The race kit's CI slice against the bug catalogue (docs/reference/bug-catalogue.md): with each
 * bug switched on alone, the kit's default search (the mix and strategy portfolios) catches it
 * within a few hundred runs of a fixed fast-check seed, shrinks it to a handful of operations and
 * decisions, and its printed replay line reproduces the failure bit for bit. `npm run race:power`
 * is the full-size measurement; this slice keeps the kit honest on every `npm test`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { enableBugs } from '@switchboard/channels/bugs';
import type { BugId } from '@switchboard/channels/bugs';
import { findRace, replayRace, violationKind } from '@switchboard/testkit';

/** Runs each search may spend; every bug below is found well inside it. */
const RUNS = 300;

/**
 * Per bug: a fast-check seed for the search (fixed, so CI is stable), and the invariants of
 * emqx-cm-semantics §H whose violation is the expected symptom.
 */
const CASES: readonly { bug: BugId; seed: number; caughtBy: readonly string[] }[] = [
  { bug: 'B1', seed: 1, caughtBy: ['H.1'] }, // counted live before the lock: no conn row yet
  { bug: 'B2', seed: 3, caughtBy: ['H.3'] }, // a DOWN from the supervisor ahead of the registration
  { bug: 'B3', seed: 0, caughtBy: ['H.8'] }, // a delivery after begin goes into the handed-over session
  { bug: 'B4', seed: 0, caughtBy: ['H.7'] }, // no timeout after begin: stuck taking over
  { bug: 'B5', seed: 1, caughtBy: ['H.8'] }, // the session taken at begin thrown away when end times out
  { bug: 'B6', seed: 2, caughtBy: ['H.8'] }, // a second begin resets the pendings
  { bug: 'B7', seed: 1, caughtBy: ['H.1', 'H.2'] }, // the old pid's cleanup deletes the taker's rows
  { bug: 'B8', seed: 3, caughtBy: ['H.5'] }, // a dead opener's lock is not released
  { bug: 'B9', seed: 1, caughtBy: ['H.3'] }, // the old channel's DOWN counts the taker out
];

afterEach(() => {
  enableBugs([]);
});

describe('the race kit catches every bug of the catalogue', () => {
  for (const { bug, seed, caughtBy } of CASES) {
    it(`catches ${bug}, shrinks it, and replays it exactly`, async () => {
      enableBugs([bug]);
      const { race } = await findRace({ seed, runs: RUNS, quick: true });

      expect(race, `${bug} not caught in ${RUNS} runs (fast-check seed ${seed})`).toBeDefined();
      if (!race) return;
      const { scenario, violations } = race.result;
      const kinds = violations.map((v) => violationKind(v).replace(/^always /, ''));
      expect(
        kinds.some((k) => caughtBy.includes(k)),
        violations.join('\n'),
      ).toBe(true);
      // Shrunk to what a reader can follow: at most 5 operations (workload and faults) and 3
      // decisions away from the default order.
      expect(scenario.workload.length + scenario.faults.length).toBeLessThanOrEqual(5);
      expect(scenario.decisions.length).toBeLessThanOrEqual(3);
      // The printed line alone reproduces it, step for step.
      expect(race.replayExact).toBe(true);
      const again = await replayRace(race.replayLine);
      expect(again.traceHash).toBe(race.result.traceHash);
      expect(again.violations).toEqual(violations);
    });
  }
});
