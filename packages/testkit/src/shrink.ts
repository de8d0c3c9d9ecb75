/**
 * Delta debugging over a failing scenario: remove operations, faults and decisions — chunks
 * first, then one at a time — keeping each removal while the failure stays, until nothing more
 * can go. Each candidate is replayed exactly (recorded decisions, default order elsewhere);
 * decisions are labelled, so they still name their steps after earlier operations are removed.
 */
import { faultLaneLabel, opLabel } from './scenario.js';
import type { Fault, Op, Scenario } from './scenario.js';
import type { RunResult, WorldOptions } from './world.js';
import { runScenario } from './world.js';
import { downsFirst, overlap, sparse } from './strategies.js';
import type { ExplorationStrategy } from './strategies.js';

/** Options of {@link shrinkScenario}. */
export interface ShrinkOptions {
  /** The seed of the failing run (the world's entropy). */
  readonly seed: number;
  readonly world?: WorldOptions;
  /** Most replays to spend. Default 400. */
  readonly budget?: number;
  /** Whether a run still shows the failure. Default: any violation of the same kind as the original's first. */
  readonly same?: (result: RunResult) => boolean;
  /**
   * Runs spent looking for a simpler schedule of the shrunk operations when decisions remain:
   * the decisions a broad strategy (uniform, PCT) took are each needed given the others, yet a
   * schedule with fewer of them often exists — a biased strategy finds it. Default 60.
   */
  readonly research?: number;
  /**
   * While the failure still needs more decisions than this, the search for a simpler schedule
   * goes on past `research`, up to `maxResearch` runs: a schedule of a few decisions is one a
   * reader can follow. Default 3.
   */
  readonly readableDecisions?: number;
  /** Most runs spent looking for a simpler schedule. Default 600. */
  readonly maxResearch?: number;
}

/** What {@link shrinkScenario} returns. */
export interface ShrinkResult {
  /** The smallest failing run found (its scenario holds the decisions actually taken). */
  readonly result: RunResult;
  readonly replays: number;
}

/** The kind of a violation: the text before its first `:` (`H.8`, `linearizability`, …). */
export function violationKind(violation: string): string {
  const i = violation.indexOf(':');
  return i < 0 ? violation : violation.slice(0, i);
}

/**
 * Shrinks a failing run.
 *
 * @example
 * ```ts
 * const { result } = await shrinkScenario(failing, { seed: 7 });
 * console.log(formatReplayLine(result.scenario));
 * ```
 */
export async function shrinkScenario(failing: RunResult, options: ShrinkOptions): Promise<ShrinkResult> {
  const kind = violationKind(failing.violations[0] ?? '');
  const same = options.same ?? ((r: RunResult) => r.violations.some((v) => violationKind(v) === kind));
  const budget = options.budget ?? 400;
  let best = failing;
  let replays = 0;
  const attempt = async (scenario: Scenario): Promise<boolean> => {
    if (replays >= budget) return false;
    replays++;
    const result = await runScenario(scenario, { seed: options.seed }, options.world);
    if (result.violations.length === 0 || !same(result)) return false;
    best = result;
    return true;
  };
  type Part = 'workload' | 'faults' | 'decisions';
  const without = (s: Scenario, part: Part, from: number, count: number): Scenario => ({
    ...s,
    [part]: (s[part] as readonly unknown[]).filter((_, i) => i < from || i >= from + count),
  });
  // A removed operation's decisions go with it: a decision naming a unit that never comes
  // stays pending and holds back every decision after it until its step has passed.
  const withoutUnits = (s: Scenario, part: 'workload' | 'faults', from: number, count: number): Scenario => {
    const gone = new Set<string>();
    for (let i = from; i < from + count && i < s[part].length; i++) {
      const label = part === 'workload' ? opLabel(s.workload[i] as Op) : laneLabel(s.faults[i] as Fault);
      if (label !== undefined) gone.add(`op:${label}@`);
    }
    const names = (label: string): boolean => [...gone].some((prefix) => label.startsWith(prefix));
    const reduced = without(s, part, from, count);
    return { ...reduced, decisions: reduced.decisions.filter(([at, take]) => !names(at) && !names(take)) };
  };
  // Replaying the failure first pins the exact decisions taken (and drops unused ones).
  await attempt(best.scenario);
  await deltaDebug();
  // Then a simpler schedule for what is left, shrunk in turn: kept only if it replays.
  const research = options.research ?? 60;
  const readable = options.readableDecisions ?? 3;
  const maxResearch = Math.max(research, options.maxResearch ?? 600);
  const explorers = [
    sparse({ deviations: 1 }),
    downsFirst(),
    overlap(),
    downsFirst({ probability: 1 }),
    sparse({ deviations: 2 }),
    overlap({ probability: 0.5 }),
  ];
  const searching = (i: number): boolean =>
    best.scenario.decisions.length > 0 &&
    (i < research || (i < maxResearch && best.scenario.decisions.length > readable));
  for (let i = 0; searching(i); i++) {
    const explorer = explorers[i % explorers.length] as ExplorationStrategy;
    const { workload, faults } = best.scenario;
    const result = await runScenario(
      { workload, faults, decisions: [] },
      { seed: options.seed + 1 + i, run: i, strategy: explorer },
      options.world,
    );
    if (result.violations.length === 0 || !same(result)) continue;
    if (result.scenario.decisions.length >= best.scenario.decisions.length) continue;
    const previous = best;
    if (!(await attempt(result.scenario))) continue;
    await deltaDebug();
    if (size(best) > size(previous)) best = previous;
  }
  return { result: best, replays };

  async function deltaDebug(): Promise<void> {
    let progress = true;
    while (progress && replays < budget) {
      progress = false;
      for (const part of ['decisions', 'faults', 'workload'] as const) {
        let size = Math.max(1, Math.floor(best.scenario[part].length / 2));
        while (size >= 1) {
          let removed = false;
          for (let from = 0; from < best.scenario[part].length; from += size) {
            const candidate = without(best.scenario, part, from, size);
            const pruned = part === 'decisions' ? candidate : withoutUnits(best.scenario, part, from, size);
            const fewer = pruned.decisions.length < candidate.decisions.length;
            if ((fewer && (await attempt(pruned))) || (await attempt(candidate))) {
              removed = true;
              progress = true;
              from -= size;
            }
          }
          if (!removed) size = Math.floor(size / 2);
        }
      }
    }
  }
}

/** A fault's unit label when it runs in the fault lane (no trigger), else undefined. */
function laneLabel(fault: Fault): string | undefined {
  return fault.at ? undefined : faultLaneLabel(fault);
}

/** A scenario's size for shrinking: non-default decisions weigh most, as they are the hardest to read. */
function size(result: RunResult): number {
  const s = result.scenario;
  return s.workload.length + s.faults.length + 2 * s.decisions.length;
}
