/**
 * The deterministic Dispatcher and virtual Clock in one object, so that one decision source
 * orders everything: which (sender, receiver) queue delivers next, which process exit or DOWN
 * batch runs, which due timer fires. Each choice is recorded as a labelled decision
 * (`deliver:ext>3@0`, `fire:call-timeout:3@0`); the same seed gives the same decisions, and a
 * recorded decision list replays the run exactly.
 */
import * as crypto from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { mixSeed } from './seed.js';
import { ReplayDiverged, StepLimit } from '../errors.js';
import type { Clock, TimerHandle } from './clock.js';
import type { DispatchHost, Dispatcher, Schedulable, WorkItem } from './dispatcher.js';

/**
 * Chooses among candidate labels; returns an index. `random(n)` gives a seeded integer in
 * `[0, n)`. The race kit supplies smarter strategies (sparse, PCT, portfolio).
 */
export type Strategy = (candidates: readonly string[], random: (n: number) => number, step: number) => number;

/** Uniform random choice: the default strategy. */
export const uniformStrategy: Strategy = (candidates, random) => random(candidates.length);

/** Always the oldest runnable candidate: the schedule a live dispatcher would most likely take. */
export const fifoStrategy: Strategy = () => 0;

/**
 * Two candidates can share a label (two timers with one name, such as the same `after` delay in
 * two invoked copies of one child machine). A recorded decision must name exactly one candidate,
 * or a replay may take the other one: repeats get `~1`, `~2`, … in candidate order, which is
 * itself deterministic (ready order, then timer creation order).
 */
function disambiguate(labels: string[]): void {
  // Repeats are rare: a pairwise look (a handful of candidates) before any map is built.
  if (!hasRepeat(labels)) return;
  const seen = new Map<string, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as string;
    const repeats = seen.get(label) ?? 0;
    seen.set(label, repeats + 1);
    if (repeats > 0) labels[i] = `${label}~${repeats}`;
  }
}

function hasRepeat(labels: readonly string[]): boolean {
  for (let i = 1; i < labels.length; i++) {
    const label = labels[i];
    for (let j = 0; j < i; j++) if (labels[j] === label) return true;
  }
  return false;
}

/** SHA-256 in hex: Node's one-shot `crypto.hash` where it exists (20.12+), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** Options of the deterministic scheduler. */
export interface DeterministicSchedulerOptions {
  /** Seed of the choice stream. Default 0. */
  readonly seed?: number;
  /** A decision list recorded from an earlier run: each step takes the candidate with that label. */
  readonly replay?: readonly string[];
  /** When a replayed label is not runnable: throw `RT_ERR_REPLAY_DIVERGED` (true, default) or fall back to the strategy. */
  readonly strictReplay?: boolean;
  /** How to choose when not replaying. Default: uniform. */
  readonly strategy?: Strategy;
  /**
   * Run by itself: steps run on microtasks as soon as work appears, and when everything is idle
   * virtual time jumps to the next timer (after pending microtasks and I/O callbacks have run).
   * Default true. With false, the test drives it with `step`, `runUntilIdle` and `advance`.
   */
  readonly auto?: boolean;
  /** Virtual time at start, in ms. Default 0. */
  readonly startTime?: number;
  /** `runUntilIdle` throws `RT_ERR_STEP_LIMIT` after this many steps. Default 1,000,000. */
  readonly maxSteps?: number;
}

interface VirtualTimer {
  readonly seq: number;
  readonly deadline: number;
  readonly label: string;
  readonly fn: () => void;
  cancelled: boolean;
  /** `fire:<label>`, built the first time the timer is a candidate. */
  fireLabel: string | undefined;
}

/**
 * A seeded, recordable, replayable Dispatcher + Clock.
 *
 * @example
 * ```ts
 * const sched = createDeterministicScheduler({ seed: 7, auto: false });
 * const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(7) });
 * rt.send(pid, { type: 'ping' });
 * sched.runUntilIdle();
 * sched.decisions; // ['deliver:ext>1@0']
 * ```
 */
export function createDeterministicScheduler(
  options: DeterministicSchedulerOptions = {},
): DeterministicScheduler {
  return new DeterministicScheduler(options);
}

/** See {@link createDeterministicScheduler}. */
export class DeterministicScheduler implements Dispatcher, Clock {
  readonly batchesAtTurnEnd = false;
  /** Every decision taken so far, in order: the replay artefact. */
  readonly decisions: string[] = [];
  /** Every step run so far: its decision label and a summary (message type, exit reason). */
  readonly trace: string[] = [];

  private readonly rng;
  private readonly strategy: Strategy;
  private readonly replay: readonly string[] | undefined;
  private readonly strictReplay: boolean;
  private readonly auto: boolean;
  private readonly maxSteps: number;
  private readonly units: Schedulable[] = [];
  private timers: VirtualTimer[] = [];
  private timerSeq = 0;
  private time: number;
  private readonly counts = new Map<string, number>();
  private microtaskScheduled = false;
  private immediateScheduled = false;
  private running = false;
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** Set when a step run by the auto mode threw: the world stops and `idle()` rejects with it. */
  private failure: { error: unknown } | undefined;
  /** The candidates of the step being chosen: the units' work items, then the due timers. */
  private readonly work: WorkItem[] = [];
  private readonly due: VirtualTimer[] = [];
  /** `decide`'s scratch: each candidate's base label and its count so far. */
  private readonly bases: string[] = [];
  private readonly seen: number[] = [];
  /** True when some timer may be cancelled and still in `timers`. */
  private cancelledTimers = false;

  constructor(options: DeterministicSchedulerOptions) {
    this.rng = xoroshiro128plus(mixSeed(options.seed ?? 0));
    this.strategy = options.strategy ?? uniformStrategy;
    this.replay = options.replay;
    this.strictReplay = options.strictReplay ?? true;
    this.auto = options.auto ?? true;
    this.maxSteps = options.maxSteps ?? 1_000_000;
    this.time = options.startTime ?? 0;
  }

  // --- Dispatcher

  attach(_host: DispatchHost): void {
    // Batches are work items here, so there is no end-of-turn work to ask the host for.
  }

  ready(unit: Schedulable): void {
    if (!unit.queued) {
      unit.queued = true;
      this.units.push(unit);
    }
    this.kick();
  }

  wake(): void {
    this.kick();
  }

  chooseCount(label: string, available: number, max: number): number {
    const limit = Math.min(available, max);
    if (limit <= 1) return limit;
    // How many queued deaths one batch drains is itself a recorded decision.
    const options: string[] = [];
    for (let n = 1; n <= limit; n++) options.push(`${label}#${n}`);
    return this.decide(options) + 1;
  }

  idle(): Promise<void> {
    // The failure is an error the runtime threw (RT_ERR_STEP_LIMIT, RT_ERR_REPLAY_DIVERGED…), passed on unchanged.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The error that stopped an auto-mode world (a step limit, a diverged replay), if any. */
  get error(): unknown {
    return this.failure?.error;
  }

  // --- Clock

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number, label = 'timer'): TimerHandle {
    const timer: VirtualTimer = {
      seq: this.timerSeq++,
      deadline: this.time + Math.max(0, ms),
      label,
      fn,
      cancelled: false,
      fireLabel: undefined,
    };
    this.timers.push(timer);
    this.kick();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as VirtualTimer;
    if (timer && typeof timer === 'object' && 'cancelled' in timer) {
      timer.cancelled = true;
      this.cancelledTimers = true;
    }
  }

  // --- Driving

  /** Pending (not fired, not cancelled) timers. */
  get pendingTimers(): number {
    this.pruneTimers();
    return this.timers.length;
  }

  /** True when no unit has work and no timer is due now. */
  isIdle(): boolean {
    // The same pruning as `collect` (a unit out of work leaves the ready list, and keeps its
    // place only while it has work), without listing every candidate.
    if (this.pruneUnits()) {
      const work = this.work;
      work.length = 0;
      for (const unit of this.units) {
        unit.listWork(work);
        if (work.length > 0) {
          work.length = 0;
          return false;
        }
      }
    }
    this.pruneTimers();
    const now = this.time;
    for (const timer of this.timers) if (timer.deadline <= now) return false;
    return true;
  }

  /** Runs one step; returns false when nothing is runnable at the current virtual time. */
  step(): boolean {
    const labels = this.collect();
    if (labels === undefined) return false;
    const index = this.decide(labels);
    const label = this.decisions[this.decisions.length - 1] as string;
    const work = this.work;
    let summary: string;
    if (index < work.length) {
      const item = work[index] as WorkItem;
      work.length = 0;
      this.due.length = 0;
      summary = item.owner.runWork(item);
    } else {
      const timer = this.due[index - work.length] as VirtualTimer;
      work.length = 0;
      this.due.length = 0;
      this.removeTimer(timer);
      timer.fn();
      summary = '';
    }
    this.trace.push(summary ? `${label}:${summary}` : label);
    return true;
  }

  /**
   * Runs steps until nothing is runnable. With `advanceTime` (default true) it then jumps
   * virtual time to the next timer and goes on, until no timer is left or `untilTime` is
   * reached. Returns the number of steps run.
   *
   * @throws {RangeError} RT_ERR_STEP_LIMIT when `maxSteps` steps run without becoming idle.
   */
  runUntilIdle(options: { advanceTime?: boolean; untilTime?: number } = {}): number {
    const advanceTime = options.advanceTime ?? true;
    const untilTime = options.untilTime ?? Infinity;
    let steps = 0;
    const wasRunning = this.running;
    this.running = true;
    try {
      for (;;) {
        if (this.step()) {
          if (++steps > this.maxSteps) throw new StepLimit(this.maxSteps);
          continue;
        }
        if (!advanceTime) break;
        const next = this.nextDeadline();
        if (next === undefined || next > untilTime) break;
        this.time = Math.max(this.time, next);
      }
      if (untilTime !== Infinity && untilTime > this.time && advanceTime) this.time = untilTime;
    } finally {
      this.running = wasRunning;
    }
    this.notifyIdle();
    return steps;
  }

  /**
   * Moves virtual time to the next pending timer's deadline without running any step, and
   * returns that time (undefined when no timer is pending; time never goes backwards). A driver
   * that lets promise callbacks settle between steps uses it instead of `runUntilIdle`, which
   * would go on stepping at the new time.
   */
  advanceToNextTimer(): number | undefined {
    const next = this.nextDeadline();
    if (next === undefined) return undefined;
    this.time = Math.max(this.time, next);
    return this.time;
  }

  /** Advances virtual time by `ms`, running every step and timer due on the way. */
  advance(ms: number): number {
    return this.runUntilIdle({ advanceTime: true, untilTime: this.time + ms });
  }

  /** A stable hash of the trace so far: two runs with equal hashes took identical steps. */
  traceHash(): string {
    return sha256Hex(this.trace.join('\n')).slice(0, 16);
  }

  // --- internals

  /**
   * Lists the candidates of a step into `work` (the units' items, in ready order) and `due` (the
   * due timers, in creation order), and returns their base labels; undefined when there are none.
   */
  private collect(): string[] | undefined {
    const work = this.work;
    const due = this.due;
    work.length = 0;
    due.length = 0;
    if (this.pruneUnits()) for (const unit of this.units) unit.listWork(work);
    this.pruneTimers();
    const now = this.time;
    for (const timer of this.timers) if (timer.deadline <= now) due.push(timer);
    const n = work.length + due.length;
    if (n === 0) return undefined;
    const labels = new Array<string>(n);
    for (let i = 0; i < work.length; i++) labels[i] = (work[i] as WorkItem).label;
    for (let i = 0; i < due.length; i++) {
      const timer = due[i] as VirtualTimer;
      labels[work.length + i] = timer.fireLabel ??= `fire:${timer.label}`;
    }
    return labels;
  }

  /** Units that ran out of work leave the ready list; returns whether any unit is left. */
  private pruneUnits(): boolean {
    const units = this.units;
    let keep = 0;
    for (let i = 0; i < units.length; i++) {
      const unit = units[i] as Schedulable;
      if (!unit.hasWork()) {
        unit.queued = false;
        continue;
      }
      units[keep++] = unit;
    }
    units.length = keep;
    return keep > 0;
  }

  /**
   * Chooses among candidates given by their base labels and records the decision; returns the
   * chosen index. `labels` is rewritten in place into the decision labels (`<label>@<n>`).
   */
  private decide(labels: string[]): number {
    const counts = this.counts;
    const step = this.decisions.length;
    const recorded = this.replay?.[step];
    const n = labels.length;
    if (n === 1) {
      // One candidate: nothing to choose, and no label can repeat.
      const base = labels[0] as string;
      const count = counts.get(base) ?? 0;
      const label = `${base}@${count}`;
      labels[0] = label;
      if (recorded !== undefined && recorded !== label && this.strictReplay)
        throw new ReplayDiverged(step, recorded, label);
      counts.set(base, count + 1);
      this.decisions.push(label);
      return 0;
    }
    const bases = this.bases;
    const seen = this.seen;
    for (let i = 0; i < n; i++) {
      const base = labels[i] as string;
      const count = counts.get(base) ?? 0;
      bases[i] = base;
      seen[i] = count;
      labels[i] = `${base}@${count}`;
    }
    disambiguate(labels);
    let index: number;
    if (recorded !== undefined) {
      index = labels.indexOf(recorded);
      if (index < 0) {
        if (this.strictReplay) throw new ReplayDiverged(step, recorded, labels.join(', '));
        index = this.choose(labels, step);
      }
    } else {
      index = this.choose(labels, step);
    }
    counts.set(bases[index] as string, (seen[index] as number) + 1);
    this.decisions.push(labels[index] as string);
    return index;
  }

  private choose(labels: readonly string[], step: number): number {
    if (labels.length === 1) return 0;
    const index = this.strategy(labels, (n) => (n <= 1 ? 0 : uniformInt(this.rng, 0, n - 1)), step);
    return Math.min(Math.max(0, Math.floor(index)), labels.length - 1);
  }

  private nextDeadline(): number | undefined {
    this.pruneTimers();
    let next: number | undefined;
    for (const timer of this.timers) if (next === undefined || timer.deadline < next) next = timer.deadline;
    return next;
  }

  private pruneTimers(): void {
    if (!this.cancelledTimers) return;
    this.cancelledTimers = false;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  private removeTimer(timer: VirtualTimer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }

  private kick(): void {
    if (!this.auto || this.running || this.microtaskScheduled) return;
    this.microtaskScheduled = true;
    queueMicrotask(() => {
      this.microtaskScheduled = false;
      if (this.running) return;
      this.autoRun(() => this.runUntilIdle({ advanceTime: false }));
    });
  }

  /**
   * Runs a step batch for the auto mode. A throw there has no caller to reach, so instead of an
   * uncaught exception the world stops and every `idle()` waiter (now or later) rejects with it.
   */
  private autoRun(run: () => void): void {
    if (this.failure) return;
    try {
      run();
    } catch (error) {
      this.failure = { error };
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    this.scheduleTimeJump();
  }

  // Virtual time moves only when everything else has settled: after microtasks (the awaiting
  // test code) and I/O callbacks have had their chance, as a discrete-event simulation would.
  private scheduleTimeJump(): void {
    if (this.immediateScheduled || this.nextDeadline() === undefined) return;
    this.immediateScheduled = true;
    setImmediate(() => {
      this.immediateScheduled = false;
      if (this.running) return;
      this.autoRun(() => {
        if (this.isIdle()) {
          const next = this.nextDeadline();
          if (next === undefined) return;
          this.time = Math.max(this.time, next);
        }
        this.runUntilIdle({ advanceTime: false });
      });
    });
  }

  private notifyIdle(): void {
    if (this.waiters.length === 0 || !this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }
}
