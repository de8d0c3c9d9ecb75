/**
 * `npm run race:power`: how well the race kit finds the bug catalogue (docs/reference/bug-catalogue.md).
 * For each bug alone: how many seeds catch it within the run budget, the median runs to detection,
 * the shrunk size (operations, non-default decisions), and whether the shrunk replay was exact;
 * then, with every bug off, how many runs each strategy completes without a violation.
 *
 *   npm run race:power -- --seeds 100 --runs 2000 --clean 20000 [--bugs B1,B3] [--strategy portfolio]
 *
 * Prints a markdown table (paste it into docs/race-power.md).
 */
import { cpus } from 'node:os';
import { BUG_IDS, enableBugs } from '@switchboard/channels/bugs';
import type { BugId } from '@switchboard/channels/bugs';
import { STRATEGY_NAMES, findRace, strategyByName } from '@switchboard/testkit';
import type { ExplorationStrategy, FindRaceOptions } from '@switchboard/testkit';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]?.replace(/^--/, '') ?? '', process.argv[i + 1] ?? '');
const seeds = Number(args.get('seeds') ?? 10);
const runs = Number(args.get('runs') ?? 500);
const clean = Number(args.get('clean') ?? 1000);
const bugs = (args.get('bugs')?.split(',') ?? [...BUG_IDS]) as BugId[];
const strategyName = args.get('strategy') ?? 'portfolio';
const strategy = (): ExplorationStrategy => strategyByName(strategyName) as ExplorationStrategy;

/** The search every bug gets: two client ids, up to 6 operations and 1 fault per run. */
const search: FindRaceOptions = {
  workload: { clientIds: ['a', 'b'], maxOps: 6 },
  faults: { maxFaults: 1 },
  quick: true,
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};

const started = performance.now();
const lines: string[] = [];
lines.push(
  `| bug | caught (of ${seeds} seeds, ≤ ${runs} runs) | median runs | shrunk ops (max) | shrunk decisions (max) | replay exact | ms/run |`,
);
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const bug of bugs) {
  const restore = enableBugs([bug]);
  const found: number[] = [];
  let ops = 0;
  let decisions = 0;
  let exact = 0;
  let totalRuns = 0;
  const t = performance.now();
  try {
    for (let seed = 0; seed < seeds; seed++) {
      const { race, runs: used } = await findRace({ ...search, seed, runs, strategy: strategy() });
      totalRuns += race ? race.foundAtRun : used;
      if (!race) continue;
      found.push(race.foundAtRun);
      ops = Math.max(ops, race.result.scenario.workload.length + race.result.scenario.faults.length);
      decisions = Math.max(decisions, race.result.scenario.decisions.length);
      if (race.replayExact) exact++;
    }
  } finally {
    restore();
  }
  const ms = (performance.now() - t) / Math.max(1, totalRuns);
  lines.push(
    `| ${bug} | ${found.length} | ${found.length ? median(found) : '—'} | ${found.length ? ops : '—'} | ${found.length ? decisions : '—'} | ${found.length ? `${exact}/${found.length}` : '—'} | ${ms.toFixed(2)} |`,
  );
  console.error(lines.at(-1));
}
lines.push('');
lines.push(`| strategy (every bug off) | clean runs | violations | ms/run |`);
lines.push('| --- | --- | --- | --- |');
for (const name of STRATEGY_NAMES) {
  const t = performance.now();
  const { race, runs: used } = await findRace({
    ...search,
    seed: 1,
    runs: clean,
    strategy: strategyByName(name) as ExplorationStrategy,
    noShrink: true,
  });
  lines.push(
    `| ${name} | ${race ? race.foundAtRun - 1 : used} of ${clean} | ${race ? (race.result.violations[0] ?? '') : 'none'} | ${((performance.now() - t) / Math.max(1, used)).toFixed(2)} |`,
  );
  console.error(lines.at(-1));
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Node ${process.version}; ${seconds.toFixed(0)} s; strategy ${strategyName}; --seeds ${seeds} --runs ${runs} --clean ${clean}.\n`,
);
console.log(lines.join('\n'));
