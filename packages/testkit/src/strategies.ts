/**
 * Exploration strategies: how the world chooses among runnable candidates when no recorded
 * decision applies. Each sees the candidates' labels, the index of the default (the oldest
 * system work, see `defaultIndex`) and a seeded `random(n)`; a strategy has per-run state, so
 * the world calls `begin(run)` before each run.
 */

/**
 * One exploration strategy.
 *
 * @example
 * ```ts
 * const s: ExplorationStrategy = sparse({ deviations: 2 });
 * s.begin(0, (n) => 0);
 * ```
 */
export interface ExplorationStrategy {
  /** Stable name, printed in reports (`uniform`, `sparse`, `pct`, `portfolio:pct`). */
  readonly name: string;
  /** Starts a run; `random(n)` is the run's seeded integer in `[0, n)`. */
  begin(run: number, random: (n: number) => number): void;
  /** The index to run, given the candidates and the default's index. */
  choose(
    labels: readonly string[],
    defaultIndex: number,
    random: (n: number) => number,
    step: number,
  ): number;
  /** Trace-point faults the strategy adds to the run's workload, if it does (see `tracePointFaults`). */
  readonly injectsFaults?: boolean;
}

/**
 * Uniform random choice at every step.
 *
 * @example
 * ```ts
 * const strategy = uniform();
 * ```
 */
export function uniform(): ExplorationStrategy {
  return {
    name: 'uniform',
    begin() {},
    choose: (labels, _d, random) => random(labels.length),
  };
}

/**
 * Options of {@link sparse}.
 */
export interface SparseOptions {
  /** Expected number of deviations per run. Default 2. */
  readonly deviations?: number;
  /** Steps over which they spread (a run's usual length). Default 60. */
  readonly horizon?: number;
}

/**
 * Mostly the default order, with a few deviations: each step leaves the default with
 * probability `deviations / horizon`, for one uniformly chosen other candidate. Bugs that need
 * one or two unusual orderings are found far sooner than by uniform choice, and the schedules it
 * finds shrink to those few decisions.
 *
 * @example
 * ```ts
 * const strategy = sparse({ deviations: 2, horizon: 60 });
 * ```
 */
export function sparse(options: SparseOptions = {}): ExplorationStrategy {
  const deviations = options.deviations ?? 2;
  const horizon = options.horizon ?? 60;
  // Probability in 1/1024ths, so the draw is one integer.
  const threshold = Math.max(1, Math.round((1024 * deviations) / horizon));
  return {
    name: 'sparse',
    begin() {},
    choose(labels, defaultIndex, random) {
      if (random(1024) >= threshold) return defaultIndex;
      const other = random(labels.length - 1);
      return other >= defaultIndex ? other + 1 : other;
    },
  };
}

/** Options of {@link pct}. */
export interface PctOptions {
  /** Bug depth d: the run gets d - 1 priority change points. Default 3. */
  readonly depth?: number;
  /** Steps over which the change points are spread. Default 60. */
  readonly horizon?: number;
}

/**
 * PCT (probabilistic concurrency testing, Burckhardt et al. 2010): every chain of work — the
 * label without its count, such as `deliver:c1>cm` or `op:c2.connect` — gets a random priority
 * when first seen; the highest-priority candidate runs; at d - 1 random steps the running chain's
 * priority drops below every other. A bug of depth d is found with probability at least
 * 1/(n·k^(d-1)) per run. Past 4 × `horizon` steps it takes the default order, so that a polling
 * loop at a high priority cannot starve the rest of a run.
 *
 * @example
 * ```ts
 * const strategy = pct({ depth: 3 });
 * ```
 */
export function pct(options: PctOptions = {}): ExplorationStrategy {
  const depth = options.depth ?? 3;
  const horizon = options.horizon ?? 60;
  const fairAfter = 4 * horizon;
  let priorities = new Map<string, number>();
  let changePoints: number[] = [];
  let low = 0;
  let rand: (n: number) => number = () => 0;
  const chainOf = (label: string): string => {
    const at = label.lastIndexOf('@');
    return at < 0 ? label : label.slice(0, at);
  };
  const priorityOf = (chain: string): number => {
    let p = priorities.get(chain);
    if (p === undefined) {
      // Above every lowered priority; random among the rest.
      p = 1 + rand(1 << 20);
      priorities.set(chain, p);
    }
    return p;
  };
  return {
    name: 'pct',
    begin(_run, random) {
      rand = random;
      priorities = new Map();
      changePoints = [];
      for (let i = 1; i < depth; i++) changePoints.push(random(horizon));
      low = 0;
    },
    choose(labels, defaultIndex, _random, step) {
      // PCT assumes every run ends; a polling loop (a sync that pings until a mailbox is empty)
      // at a high priority would starve the rest for ever. Past the horizon, fair default order.
      if (step >= fairAfter) return defaultIndex;
      let best = highest(labels, priorityOf, chainOf);
      if (changePoints.includes(step)) {
        // A change point: the chain about to run drops below everything, and the next best runs.
        priorities.set(chainOf(labels[best] as string), --low);
        best = highest(labels, priorityOf, chainOf);
      }
      return best;
    },
  };
}

/**
 * Mostly default order, plus faults and extra workload at the trace points the run passes (the
 * world asks the strategy for them; see `injectsFaults`). Schedules stay sparse.
 *
 * @example
 * ```ts
 * const strategy = tracePointFaults();
 * ```
 */
export function tracePointFaults(options: SparseOptions = {}): ExplorationStrategy {
  const inner = sparse({ deviations: options.deviations ?? 1, horizon: options.horizon ?? 60 });
  return { ...inner, name: 'tracepoint', injectsFaults: true };
}

/** Options of {@link overlap} and {@link downsFirst}. */
export interface BiasOptions {
  /** Probability, per step where the bias applies, of following it. Default 1/4 (overlap), 3/4 (downsFirst). */
  readonly probability?: number;
}

/** The first candidate whose label starts with one of `prefixes`, or -1. */
function firstOf(labels: readonly string[], prefixes: readonly string[]): number {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as string;
    if (prefixes.some((p) => label.startsWith(p))) return i;
  }
  return -1;
}

/** A strategy that, at each step, follows `pick` with probability `p` (in 1/1024ths) and otherwise takes the default. */
function biased(name: string, p: number, prefixes: readonly string[]): ExplorationStrategy {
  const threshold = Math.max(1, Math.min(1024, Math.round(1024 * p)));
  return {
    name,
    begin() {},
    choose(labels, defaultIndex, random) {
      const i = firstOf(labels, prefixes);
      if (i < 0 || i === defaultIndex || random(1024) >= threshold) return defaultIndex;
      return i;
    },
  };
}

/**
 * Client operations arrive while the system is still busy: at each step where the next operation
 * (or scheduled fault) could run early, it does with probability `p`. Two opens of one client id
 * then overlap — inside each other's lock, stepdowns and registrations — which the default order
 * (each operation once the world has settled) never does.
 *
 * @example
 * ```ts
 * const strategy = overlap({ probability: 0.25 });
 * ```
 */
export function overlap(options: BiasOptions = {}): ExplorationStrategy {
  return biased('overlap', options.probability ?? 0.25, ['op:']);
}

/**
 * Deaths overtake messages: at each step where a process exit, a DOWN-batch flush or a DOWN
 * delivery could run, it runs first with probability `p`. A DOWN then reaches the manager before
 * the registration or the stepdown reply sent before it — the DOWN-vs-message races of a
 * connection manager (a DOWN from a second source ahead of a registration, a DOWN racing a kick).
 *
 * @example
 * ```ts
 * const strategy = downsFirst();
 * ```
 */
export function downsFirst(options: BiasOptions = {}): ExplorationStrategy {
  return biased('downsFirst', options.probability ?? 0.75, ['exit:', 'batch:', 'deliver:rt>']);
}

/**
 * Rotates strategies per run: run r uses `strategies[r % n]`. The default portfolio is sparse,
 * PCT, trace-point faults, uniform, overlap and downsFirst.
 *
 * @example
 * ```ts
 * const strategy = portfolio([sparse(), pct({ depth: 2 }), uniform()]);
 * ```
 */
export function portfolio(
  strategies: readonly ExplorationStrategy[] = [
    sparse(),
    pct(),
    tracePointFaults(),
    uniform(),
    overlap(),
    downsFirst(),
  ],
): ExplorationStrategy {
  let current = strategies[0] as ExplorationStrategy;
  const self = {
    name: 'portfolio',
    injectsFaults: false,
    begin(run: number, random: (n: number) => number) {
      current = strategies[run % strategies.length] as ExplorationStrategy;
      self.injectsFaults = current.injectsFaults === true;
      current.begin(run, random);
    },
    choose(labels: readonly string[], d: number, random: (n: number) => number, step: number) {
      return current.choose(labels, d, random, step);
    },
  };
  return self;
}

/**
 * Replays a decision tape (see `decisionTapeArb`): at each choice the next number picks a
 * candidate — 0 the default, k the k-th other one (wrapping) — and past the tape's end the
 * default runs. fast-check shrinks the tape, so the schedule shrinks with the workload.
 *
 * @example
 * ```ts
 * const strategy = tape([0, 0, 1]);
 * ```
 */
export function tape(numbers: readonly number[]): ExplorationStrategy {
  let next = 0;
  return {
    name: 'tape',
    begin() {
      next = 0;
    },
    choose(labels, defaultIndex) {
      const n = numbers[next++] ?? 0;
      if (n === 0 || labels.length < 2) return defaultIndex;
      const other = (n - 1) % (labels.length - 1);
      return other >= defaultIndex ? other + 1 : other;
    },
  };
}

/**
 * The strategies by name, as `race:power` and `RACE_STRATEGY` name them.
 *
 * @example
 * ```ts
 * const s = strategyByName('pct');
 * ```
 */
export function strategyByName(name: string): ExplorationStrategy | undefined {
  switch (name) {
    case 'uniform':
      return uniform();
    case 'sparse':
      return sparse();
    case 'pct':
      return pct();
    case 'tracepoint':
      return tracePointFaults();
    case 'overlap':
      return overlap();
    case 'downsFirst':
      return downsFirst();
    case 'portfolio':
      return portfolio();
    default:
      return undefined;
  }
}

/** Every built-in strategy's name. */
export const STRATEGY_NAMES: readonly string[] = [
  'uniform',
  'sparse',
  'pct',
  'tracepoint',
  'overlap',
  'downsFirst',
  'portfolio',
];

function highest(
  labels: readonly string[],
  priorityOf: (chain: string) => number,
  chainOf: (label: string) => string,
): number {
  let best = 0;
  let bestPriority = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    const p = priorityOf(chainOf(labels[i] as string));
    if (p > bestPriority) {
      bestPriority = p;
      best = i;
    }
  }
  return best;
}
