/**
 * The outer loop: fast-check generates workloads, fault plans and run seeds (or decision
 * tapes), the world runs each, and the first failing run is shrunk — by fast-check over its
 * inputs, then by delta debugging over the scenario — and re-run to check that its replay is
 * exact. `raceTest.prop` and `race:power` are built on it.
 */
import fc from 'fast-check';
import { decisionTapeArb } from './arbitraries.js';
import type { FaultOptions, WorkloadOptions } from './arbitraries.js';
import { MIX_NAMES, mixArb } from './mixes.js';
import type { MixName, Plan } from './mixes.js';
import { formatReplayLine } from './scenario.js';
import { InvalidKitOption, ReplayNotExact } from './errors.js';
import { shrinkScenario } from './shrink.js';
import { portfolio, tape } from './strategies.js';
import type { ExplorationStrategy } from './strategies.js';
import { runScenario } from './world.js';
import type { RunResult, WorldOptions } from './world.js';

/** Options of {@link findRace}. */
export interface FindRaceOptions {
  /** fast-check's seed for the whole search. Default: random (printed on failure). */
  readonly seed?: number;
  /** Runs to try. Default 200. */
  readonly runs?: number;
  /** How runs explore; `'tape'` lets fast-check generate (and shrink) the decisions themselves. Default: the portfolio. */
  readonly strategy?: ExplorationStrategy | 'tape';
  readonly world?: WorldOptions;
  /** Client ids, operation kinds, sockets and sizes every mix respects. */
  readonly workload?: WorkloadOptions;
  readonly faults?: FaultOptions;
  /** The workload mixes runs draw from (see `mixes.ts`). Default: all of {@link MIX_NAMES}. */
  readonly mixes?: readonly MixName[];
  /** Skip fast-check's own shrinking (delta debugging still runs). Default false. */
  readonly quick?: boolean;
  /** Skip delta debugging. Default false. */
  readonly noShrink?: boolean;
  /** Called with every finished run (for `sometimes` statistics). */
  readonly onRun?: (result: RunResult) => void;
  /**
   * The determinism guard: every n-th passing run (and every failing one) is run again from its
   * recorded scenario, and the two trace hashes must be equal. Default 50; 0 checks failing runs only.
   */
  readonly recheckEvery?: number;
}

/** A race found and shrunk. */
export interface RaceReport {
  /** The shrunk failing run. */
  readonly result: RunResult;
  /** The run as first found, before shrinking. */
  readonly original: RunResult;
  /** Its world seed (replays need it only for the world's entropy). */
  readonly runSeed: number;
  /** 1-based: the run that found it. */
  readonly foundAtRun: number;
  /** Replaying the shrunk scenario gave the same trace hash. */
  readonly replayExact: boolean;
  /** fast-check's seed for the search. */
  readonly seed: number;
  /** One line to paste into `replay(...)`. */
  readonly replayLine: string;
}

/** What {@link findRace} returns. */
export interface FindRaceResult {
  readonly runs: number;
  readonly race: RaceReport | undefined;
}

/**
 * Searches for a run that violates an invariant or a check.
 *
 * @example
 * ```ts
 * const { race } = await findRace({ runs: 500, strategy: sparse() });
 * if (race) console.log(race.replayLine);
 * ```
 * @throws {TypeError} TK_ERR_INVALID_OPTION (synchronously) for a run count, seed, recheck
 *   interval or mix name out of range.
 * @throws {Error} TK_ERR_REPLAY_NOT_EXACT (the promise rejects) when a run replayed from its own
 *   recorded scenario takes different steps: something in the world is nondeterministic.
 */
export function findRace(options: FindRaceOptions = {}): Promise<FindRaceResult> {
  validate(options);
  return search(options);
}

function validate(options: FindRaceOptions): void {
  const integer = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min))
      throw new InvalidKitOption(`findRace: \`${name}\` must be an integer ≥ ${min}, got ${String(value)}`);
  };
  integer('runs', options.runs, 1);
  integer('seed', options.seed, -(2 ** 31));
  integer('recheckEvery', options.recheckEvery, 0);
  for (const name of options.mixes ?? []) {
    if (!(MIX_NAMES as readonly string[]).includes(name))
      throw new InvalidKitOption(`findRace: unknown mix ${String(name)}; one of ${MIX_NAMES.join(', ')}`);
  }
  if (options.mixes?.length === 0) throw new InvalidKitOption('findRace: `mixes` is empty');
}

/** Runs `result`'s recorded scenario again and throws unless it takes the very same steps. */
async function recheck(result: RunResult, runSeed: number, world: WorldOptions | undefined): Promise<void> {
  const again = await runScenario(result.scenario, { seed: runSeed }, world);
  if (again.traceHash !== result.traceHash) throw new ReplayNotExact(result.traceHash, again.traceHash);
}

async function search(options: FindRaceOptions): Promise<FindRaceResult> {
  const seed = options.seed ?? (Math.random() * 2 ** 31) | 0;
  const recheckEvery = options.recheckEvery ?? 50;
  // A throw inside the property would be taken by fast-check for a failing run: kept here instead.
  let diverged: Error | undefined;
  const strategy = options.strategy ?? portfolio();
  let runs = 0;
  let first: { result: RunResult; runSeed: number; at: number } | undefined;
  let smallest: { result: RunResult; runSeed: number } | undefined;
  const size = (r: RunResult): number =>
    r.scenario.workload.length + r.scenario.faults.length + r.scenario.decisions.length;
  const property = fc.asyncProperty(
    mixArb(options.mixes ?? MIX_NAMES, options),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    strategy === 'tape' ? decisionTapeArb() : fc.constant<number[]>([]),
    async ({ workload, faults }: Plan, runSeed: number, numbers: number[]) => {
      const run = runs++;
      const result = await runScenario(
        { workload, faults, decisions: [] },
        { seed: runSeed, run, strategy: strategy === 'tape' ? tape(numbers) : strategy },
        options.world,
      );
      options.onRun?.(result);
      const failed = result.violations.length > 0;
      if (failed || (recheckEvery > 0 && runs % recheckEvery === 0)) {
        try {
          await recheck(result, runSeed, options.world);
        } catch (err) {
          diverged = err instanceof Error ? err : new Error(String(err));
          return false;
        }
      }
      if (!failed) return true;
      first ??= { result, runSeed, at: runs };
      if (!smallest || size(result) <= size(smallest.result)) smallest = { result, runSeed };
      return false;
    },
  );
  await fc.check(property, {
    seed,
    numRuns: options.runs ?? 200,
    endOnFailure: (options.quick ?? false) || diverged !== undefined,
  });
  if (diverged !== undefined) throw diverged;
  if (!first || !smallest) return { runs, race: undefined };
  const found = smallest;
  const shrunk = options.noShrink
    ? found.result
    : (
        await shrinkScenario(found.result, {
          seed: found.runSeed,
          ...(options.world ? { world: options.world } : {}),
        })
      ).result;
  const again = await runScenario(shrunk.scenario, { seed: found.runSeed }, options.world);
  if (again.traceHash !== shrunk.traceHash) throw new ReplayNotExact(shrunk.traceHash, again.traceHash);
  return {
    runs: first.at,
    race: {
      result: shrunk,
      original: first.result,
      runSeed: found.runSeed,
      foundAtRun: first.at,
      replayExact: again.traceHash === shrunk.traceHash,
      seed,
      replayLine: `${formatReplayLine(shrunk.scenario)} seed=${found.runSeed}`,
    },
  };
}

/**
 * A readable report of a race: the violations, the shrunk scenario's size and its replay line.
 *
 * @example
 * ```ts
 * if (race) throw new RaceFound(formatRace(race));
 * ```
 */
export function formatRace(race: RaceReport): string {
  const s = race.result.scenario;
  return [
    `race found at run ${race.foundAtRun} (fast-check seed ${race.seed}):`,
    ...race.result.violations.map((v) => `  ${v}`),
    `shrunk to ${s.workload.length} operations, ${s.faults.length} faults, ${s.decisions.length} decisions; replay ${race.replayExact ? 'exact' : 'NOT exact'}`,
    `replay it with replayRace(line) or paste into a test:`,
    race.replayLine,
  ].join('\n');
}
