/**
 * `raceTest` for vitest: a test that searches for a race with {@link findRace} (fast-check as the
 * outer loop over workloads, faults and seeds; strategies inside each run), and on failure shrinks
 * it, checks its replay is exact, and fails with the violations and one replay line.
 * `raceTest.replay(line)` runs that line again, for a regression test.
 */
import { expect, test } from 'vitest';
import { RaceFound } from './errors.js';
import { findRace, formatRace } from './find-race.js';
import type { FindRaceOptions } from './find-race.js';
import { parseReplayLine } from './scenario.js';
import { runScenario } from './world.js';
import type { RunResult, WorldOptions } from './world.js';

/** Options of `raceTest.prop`: those of `findRace`, plus the test's timeout. */
export interface RaceTestOptions extends FindRaceOptions {
  /** vitest timeout for the whole search, in ms. Default 60,000. */
  readonly timeoutMs?: number;
}

/**
 * Replays a printed line (`race-replay {...} seed=N`) and returns the run.
 *
 * @example
 * ```ts
 * const run = await replayRace(line);
 * expect(run.violations).toEqual([]); // once fixed
 * ```
 * @throws {TypeError} TK_ERR_INVALID_REPLAY for a line that is not a scenario.
 */
export function replayRace(line: string, world?: WorldOptions): Promise<RunResult> {
  const m = / seed=(-?\d+)\s*$/.exec(line);
  const seed = m ? Number(m[1]) : 0;
  const scenario = parseReplayLine(m ? line.slice(0, m.index) : line);
  return runScenario(scenario, { seed }, world);
}

/**
 * The vitest entry points.
 *
 * @example
 * ```ts
 * raceTest.prop({ runs: 300, world: { connection: myConnection } })('no race in my connection');
 * raceTest.replay('race-replay {...} seed=7', 'the lost-pending race stays fixed', { connection: myConnection });
 * ```
 */
export const raceTest = {
  /** Registers a test that fails with a shrunk, replayable race if `findRace` finds one. */
  prop(options: RaceTestOptions = {}) {
    return (name: string): void => {
      test(
        name,
        async () => {
          const { race } = await findRace(options);
          if (race) throw new RaceFound(formatRace(race));
        },
        options.timeoutMs ?? 60_000,
      );
    };
  },
  /** Registers a test that replays `line` and expects no violation (a fixed race stays fixed). */
  replay(line: string, name: string, world?: WorldOptions): void {
    test(name, async () => {
      const run = await replayRace(line, world);
      expect(run.violations).toEqual([]);
    });
  },
};
