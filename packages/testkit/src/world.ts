/**
 * The simulation world: the REAL runtime and the REAL channel manager on the runtime's
 * deterministic scheduler, with the client operations and faults of a scenario as further units
 * of work on that same scheduler — so one decision source orders message deliveries, exits,
 * DOWN batches and their sizes, due timers (virtual time: a 15 s takeover timeout is instant and
 * exact), pool tasks and every external operation. `runScenario` runs one scenario to
 * quiescence and returns its trace, history, decisions and the violations the checks found.
 *
 * A run is small and lean: a fresh runtime (pids and labels restart at the same numbers, so
 * decisions replay), a shared silent logger, no inspection stream, and the async code outside
 * processes (`openSession`, stepdowns) given microtask turns between steps.
 */
import { ClientIdUnavailable, createChannelManager } from '@switchboard/channels';
import type { ChannelManager, ChannelManagerOptions, ChannelMessage } from '@switchboard/channels';
import {
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  isSwitchboardError,
} from '@switchboard/runtime';
import type {
  DeterministicScheduler,
  Pid,
  Runtime,
  Schedulable,
  TracePoint,
  WorkItem,
} from '@switchboard/runtime';
import { channelConnection } from './connection.js';
import type { Check } from './checkers.js';
import type { ConnectionAdapter } from './connection.js';
import { DecisionSource } from './decision-source.js';
import { InvalidKitOption } from './errors.js';
import { guardGlobals } from './determinism.js';
import type { GlobalsGuard } from './determinism.js';
import { History } from './history.js';
import type { HistoryOp } from './history.js';
import { faultLaneLabel, opLabel } from './scenario.js';
import type { Fault, Op, Scenario, Trigger } from './scenario.js';
import type { ExplorationStrategy } from './strategies.js';

/** Options of the world, shared by every run of a property. */
export interface WorldOptions {
  /** Channel manager options (timeouts, batch size, pool size, duplicate-id policy). */
  readonly manager?: Omit<ChannelManagerOptions, 'name' | 'locker' | 'registry' | 'sessions'>;
  /** The connection processes' logic. Default: the channel behaviour. */
  readonly connection?: ConnectionAdapter;
  /** `Math.random`, `Date.now` and global timers throw inside the world. Default false. */
  readonly strict?: boolean;
  /** A run that takes more steps fails (a livelock). Default 20,000. */
  readonly maxSteps?: number;
  /** A run whose virtual time passes this fails (something never settles). Default 1 hour. */
  readonly maxTimeMs?: number;
  /** Checks the built-in invariants (§H) at quiescence, and the "always" ones at every idle point. Default true. */
  readonly invariants?: boolean;
  /** Extra checks over the finished run; each returns its violations. */
  readonly checks?: readonly Check[];
  /**
   * Every connection's death also reaches the manager from a second DOWN source, as the
   * transport server's connection supervisor reports them (`reportDownsTo`). Default true.
   */
  readonly supervisorDowns?: boolean;
}

/** How one run explores. */
export interface RunOptions {
  /** Seeds the scheduler's choices and the world's entropy. */
  readonly seed: number;
  /** Where no recorded decision applies. Default: none (the default order). */
  readonly strategy?: ExplorationStrategy;
  /** The run's number in a property (strategies rotate on it). Default 0. */
  readonly run?: number;
}

/** What a check sees of a finished run. */
export interface RunView {
  readonly trace: readonly TracePoint[];
  readonly history: History;
  /** Messages each connection sent to its client, in order: `c<n>` → message ids. */
  readonly outbound: ReadonlyMap<string, readonly string[]>;
  readonly runtime: Runtime;
  readonly manager: ChannelManager;
}

/** The outcome of one run. */
export interface RunResult {
  /** The scenario as run: its workload, its faults (with any a strategy injected) and the deviations taken. */
  readonly scenario: Scenario;
  /** Every violation found; empty when the run passed. */
  readonly violations: readonly string[];
  readonly trace: readonly TracePoint[];
  readonly history: History;
  /** A hash of every step the scheduler took: equal hashes, identical runs. */
  readonly traceHash: string;
  readonly steps: number;
  /** Every decision, default ones included. */
  readonly decisions: readonly string[];
  /** Virtual time at the end, in ms. */
  readonly endTime: number;
}

/**
 * A logger that does nothing, shared by every run: a pino child logger costs microseconds to
 * build and the runtime and manager build several per world; a run is meant to cost far less.
 */
const noop = (): void => {};
const QUIET = {
  level: 'silent',
  isLevelEnabled: () => false,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  silent: noop,
  child: (): unknown => QUIET,
} as unknown as Runtime['logger'];

/** Microtask turns given to promise callbacks after each step (enough for openSession's chains). */
const TICKS = 12;
/** Awaiting a settled promise gives the microtask queue one turn. */
const TICK = Promise.resolve();
/** Microtask turns that must pass with nothing runnable before the world counts as idle. */
const SETTLE_TICKS = 64;

/** What a result needs to hash its trace on first read: the scheduler until then, the hash after. */
interface LazyHash {
  sched: DeterministicScheduler | undefined;
  hash: string | undefined;
}
const LAZY_HASH = Symbol('traceHash');

/**
 * `RunResult.traceHash`, one accessor for every result. A getter written in the result's object
 * literal would be a new closure per run: V8 then gives each result a hidden class of its own,
 * which holds the closure, and through it the whole world, until the next full collection (every
 * young collection in between copies or promotes it).
 */
const TRACE_HASH: PropertyDescriptor = {
  get(this: { [LAZY_HASH]: LazyHash }): string {
    const lazy = this[LAZY_HASH];
    if (lazy.hash === undefined) {
      lazy.hash = (lazy.sched as DeterministicScheduler).traceHash();
      lazy.sched = undefined;
    }
    return lazy.hash;
  },
  enumerable: true,
  configurable: true,
};

/** A stepdown's trace points: `cm.<action>.<called|answered|failed>`. */
const STEPDOWN_POINT = /^cm\.(kick|discard|takeover\.begin|takeover\.end)\.(called|answered|failed)$/;
/** Point kinds are a small fixed set: each is matched against the pattern once per process. */
const stepdownKinds = new Map<string, readonly [action: string, phase: string] | undefined>();

/** The stepdown action and phase of a point kind, or undefined when it is not a stepdown point. */
function stepdownPoint(kind: string): readonly [action: string, phase: string] | undefined {
  let parsed = stepdownKinds.get(kind);
  if (parsed === undefined && !stepdownKinds.has(kind)) {
    const m = STEPDOWN_POINT.exec(kind);
    parsed = m ? [m[1] as string, m[2] as string] : undefined;
    // A user's own connection machine could emit kinds without end: the cache stays bounded.
    if (stepdownKinds.size < 1024) stepdownKinds.set(kind, parsed);
  }
  return parsed;
}

/** A lane of client operations (or faults): one unit of work on the scheduler, ops in order. */
class Lane implements Schedulable {
  queued = false;
  next = 0;
  constructor(
    readonly label: string,
    readonly items: readonly { readonly name: string; readonly run: () => void }[],
  ) {}
  hasWork(): boolean {
    return this.next < this.items.length;
  }
  runSlice(): number {
    return this.hasWork() ? (this.runWork(), 1) : 0;
  }
  listWork(out: WorkItem[]): void {
    const item = this.items[this.next];
    if (item) out.push({ owner: this, label: item.name, key: this.next });
  }
  runWork(): string {
    const item = this.items[this.next++];
    item?.run();
    return '';
  }
}

/**
 * Runs one scenario to quiescence and checks it.
 *
 * @example
 * ```ts
 * const result = await runScenario(
 *   { workload: [{ kind: 'connect', conn: 1, clientId: 'a', clean: true, socket: true }], faults: [], decisions: [] },
 *   { seed: 1 },
 * );
 * result.violations; // []
 * ```
 * @throws {TypeError} TK_ERR_INVALID_OPTION (synchronously) when `maxSteps` or `maxTimeMs` is not
 *   a positive number.
 */
export function runScenario(
  scenario: Scenario,
  run: RunOptions,
  options: WorldOptions = {},
): Promise<RunResult> {
  for (const name of ['maxSteps', 'maxTimeMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value > 0))
      throw new InvalidKitOption(`world: \`${name}\` must be a positive number, got ${String(value)}`);
  }
  const world = new World(scenario, run, options);
  return world.run();
}

class World {
  readonly sched: DeterministicScheduler;
  readonly rt: Runtime;
  readonly cm: ChannelManager;
  readonly source: DecisionSource;
  readonly history = new History();
  readonly trace: TracePoint[];
  readonly outbound = new Map<string, string[]>();
  readonly violations: string[] = [];
  readonly faults: Fault[];
  private readonly connection: ConnectionAdapter;
  private readonly pids = new Map<string, Pid>();
  private readonly clientOf = new Map<string, string>();
  /** The connections not yet seen dead, in spawn order (`observe` records their deaths in that order). */
  private readonly watched: { readonly key: string; readonly pid: Pid; readonly clientId: string }[] = [];
  private readonly opens = new Map<string, HistoryOp>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per client id: a lossy event happened (a kill, hang, crash, kick, discard or clean start). */
  private readonly lossy = new Set<string>();
  private readonly accepted = new Map<string, string[]>();
  /** Where each accepted message is: the pid (key) holding it and in what (`mailbox`, or `ch.deliver`'s `into`). */
  private readonly holder = new Map<string, { pid: string; where: string }>();
  /** Pids hit by a fault while handing over or taking over: only what they held in transit may be lost. */
  private readonly excusedHolders = new Set<string>();
  private readonly presentOnClean: string[] = [];
  private readonly triggerCounts = new Map<string, number>();
  /** The scenario's faults that fire at a trace point. */
  private readonly atFaults: readonly Fault[];
  /**
   * The point kinds whose occurrences are counted (per kind, and per kind and client id): only
   * what a trigger reads, every kind when the strategy injects faults at points.
   */
  private readonly countedKinds: ReadonlySet<string> | undefined;
  private readonly countedClientKinds: ReadonlySet<string>;
  private readonly injectsFaults: boolean;
  /** The pids of the DOWN batch the manager is handling in this step: checked once the step is over. */
  private downBatch: readonly unknown[] | undefined;
  private lastCheck = 0;
  /** Old channel → the taker its handover is for (the client id's lock holder when begin arrived). */
  private readonly takerOf = new Map<string, Pid>();
  /** Taker → the old channel it takes the session from. */
  private readonly oldOf = new Map<string, Pid>();
  /** Pids a fault hung: they cannot run their own timers, so they are never "stuck" by themselves. */
  private readonly hung = new Set<string>();
  /** The manager's sync in flight, if any. */
  private syncing: Promise<unknown> | undefined;
  /** Old channels whose handover completed (takeover end answered, or exited `takenover`). */
  private readonly handedAll = new Set<string>();
  /** Takers whose takeover end was called: from then on they alone hold the session. */
  private readonly endCalled = new Set<string>();
  /** Pids whose session was handed over (takeover begin answered): their socket must stay silent. */
  private readonly handedOver = new Set<string>();
  /** Set once the workload has run: the final checks' own operations get no faults. */
  private finalPhase = false;
  private steps = 0;
  private readonly maxSteps: number;
  private readonly maxTimeMs: number;
  private readonly random: (n: number) => number;
  private readonly guarded: GlobalsGuard | undefined;

  constructor(
    private readonly scenario: Scenario,
    runOptions: RunOptions,
    private readonly options: WorldOptions,
  ) {
    const strategy = runOptions.strategy;
    this.source = new DecisionSource(scenario.decisions, strategy);
    this.maxSteps = options.maxSteps ?? 20_000;
    this.maxTimeMs = options.maxTimeMs ?? 3_600_000;
    this.connection = options.connection ?? channelConnection;
    this.sched = createDeterministicScheduler({
      seed: runOptions.seed,
      auto: false,
      strategy: this.source.strategy,
      maxSteps: this.maxSteps,
    });
    const entropy = createSeededEntropy(runOptions.seed);
    // The strategy's own stream: a replay runs without the strategy, so drawing from the
    // runtime's entropy here would shift what the runtime draws (jitter) between run and replay.
    // Only a strategy draws from it (its choices and the faults it injects).
    if (strategy) {
      const choices = createSeededEntropy(runOptions.seed ^ 0x5bd1e995);
      this.random = choices.int.bind(choices);
      strategy.begin(runOptions.run ?? 0, this.random);
    } else {
      this.random = noStrategyRandom;
    }
    this.injectsFaults = strategy?.injectsFaults === true;
    this.faults = [...scenario.faults];
    this.atFaults = scenario.faults.filter((f) => f.at !== undefined);
    const counted = new Set<string>();
    const countedClient = new Set<string>();
    for (const fault of this.atFaults) {
      const at = fault.at as Trigger;
      (at.clientId === undefined ? counted : countedClient).add(at.point);
    }
    this.countedKinds = this.injectsFaults ? undefined : counted;
    this.countedClientKinds = countedClient;
    this.guarded = options.strict ? guardGlobals() : undefined;
    this.rt = createRuntime({ dispatcher: this.sched, clock: this.sched, entropy, logger: QUIET });
    const collector = this.rt.trace.collect({ onPoint: this.onPoint.bind(this) });
    this.trace = collector.events;
    this.cm = createChannelManager(this.rt, { ...options.manager, name: 'cm' });
  }

  async run(): Promise<RunResult> {
    try {
      this.guarded?.enter();
      this.startLanes();
      await this.drive();
      await this.quiesce();
      this.finalPhase = true;
      if (this.options.invariants !== false && this.violations.length === 0) await this.finalChecks();
    } catch (err) {
      this.violations.push(`error: ${describe(err)}`);
    } finally {
      this.guarded?.exit();
    }
    for (const what of new Set(this.guarded?.tripped ?? [])) {
      this.violations.push(`nondeterminism: ${what} was called inside the world (RT_ERR_NONDETERMINISM)`);
    }
    const view: RunView = {
      trace: this.trace,
      history: this.history,
      outbound: this.outbound,
      runtime: this.rt,
      manager: this.cm,
    };
    if (this.violations.length === 0) {
      for (const check of this.options.checks ?? []) this.violations.push(...check(view));
    }
    const sched = this.sched;
    const result = {
      scenario: {
        workload: this.scenario.workload,
        faults: this.faults,
        decisions: this.source.deviations,
      },
      violations: this.violations,
      trace: this.trace,
      history: this.history,
      traceHash: '',
      steps: this.steps,
      decisions: sched.decisions,
      endTime: sched.now(),
      [LAZY_HASH]: { sched, hash: undefined } as LazyHash,
    };
    // Hashed when first read (a search reads it for a failing or rechecked run only). Nothing steps
    // the scheduler once the run is over, so the hash is the run's whichever time it is read.
    return Object.defineProperty(result, 'traceHash', TRACE_HASH);
  }

  // --- Lanes: the workload and the scheduled faults as units of work

  private startLanes(): void {
    const lanes = new Map<string, { name: string; run: () => void }[]>();
    const add = (lane: string, name: string, run: () => void): void => {
      let items = lanes.get(lane);
      if (!items) lanes.set(lane, (items = []));
      items.push({ name: `op:${name}`, run });
    };
    // One lane: by default the operations run in workload order, each once the world has
    // settled; a decision that takes the next operation early makes it overlap the work before.
    // Each operation's label names what it acts on (`op:connect:c2`, `op:publish:m5`), so a
    // decision still names it after shrinking removes operations before it.
    for (const op of this.scenario.workload) add('w', opLabel(op), () => this.perform(op));
    for (const fault of this.scenario.faults) {
      if (fault.at) continue;
      add('f', faultLaneLabel(fault), () => this.inject(fault));
    }
    for (const [label, items] of lanes) this.sched.ready(new Lane(label, items));
  }

  private perform(op: Op): void {
    this.tp('sim.op', { op: op.kind });
    switch (op.kind) {
      case 'connect':
        this.connect(`c${op.conn}`, op.clientId, op.clean, op.socket);
        return;
      case 'publish':
        this.publish(op.clientId, op.id);
        return;
      case 'disconnect': {
        const pid = this.pids.get(`c${op.conn}`);
        if (pid) this.connection.socketClosed(this.rt, pid);
        return;
      }
      case 'kick':
      case 'discard': {
        this.lossy.add(op.clientId);
        const p = op.kind === 'kick' ? this.cm.kickSession(op.clientId) : this.cm.discardSession(op.clientId);
        this.track(p.catch((err: unknown) => this.unexpected(`${op.kind}(${op.clientId})`, err)));
        return;
      }
      case 'lookup': {
        const h = this.history.invoke(op.clientId, 'lookup');
        this.track(
          this.cm.lookupChannels(op.clientId).then(
            (pids) => this.history.respond(h, { value: pids.map(String).sort() }),
            (err: unknown) => this.unexpected(`lookup(${op.clientId})`, err),
          ),
        );
        return;
      }
    }
  }

  private connect(name: string, clientId: string, clean: boolean, socket: boolean): void {
    if (this.pids.has(name)) return;
    if (clean) this.lossy.add(clientId);
    const sent: string[] = [];
    this.outbound.set(name, sent);
    let self = '';
    const outbound = socket
      ? (m: ChannelMessage): void => {
          // After the taker has the session, the client is on the new connection: what the old
          // socket still sends is lost to it (§H.8: after begin, deliveries go only to pendings).
          if (this.handedOver.has(self)) {
            this.violations.push(`H.8: ${name} sent ${m.id} to its socket after handing its session over`);
            return;
          }
          sent.push(m.id);
          if (this.rt.trace.active) this.tp('sim.out', { conn: name, clientId, id: m.id });
        }
      : undefined;
    let pid: Pid;
    try {
      pid = this.rt.spawn(this.connection.logic, {
        name,
        input: this.connection.input({ clientId, host: this.cm.host, outbound }),
      });
    } catch (err) {
      this.unexpected(`spawn ${name}`, err);
      return;
    }
    this.pids.set(name, pid);
    if (this.options.supervisorDowns !== false) this.rt.monitor(this.cm.pid, pid, { batch: true });
    const key = String(pid);
    self = key;
    this.clientOf.set(key, clientId);
    this.watched.push({ key, pid, clientId });
    const h = this.history.invoke(clientId, 'open', key);
    this.opens.set(key, h);
    this.tp('sim.connect', { conn: name, clientId, clean });
    const opening = this.cm.openSession({
      cleanStart: clean,
      clientInfo: { clientId, sessionExpiryMs: Infinity },
      connInfo: { transport: 'sim' },
      pid,
    });
    this.track(
      opening.then(
        (result) => {
          this.history.respond(h, { ok: true });
          this.tp('sim.opened', { conn: name, clientId, present: result.present });
          if (clean && result.present) this.presentOnClean.push(name);
          this.connection.opened(this.rt, pid, result);
        },
        (err: unknown) => {
          this.history.respond(h, { ok: false });
          this.tp('sim.open.failed', { conn: name, clientId, code: codeOf(err) });
          if (!isSwitchboardError(err)) this.unexpected(`open ${name}`, err);
          else if (!ClientIdUnavailable.is(err)) this.lossy.add(clientId);
          this.rt.exit(pid, 'shutdown');
        },
      ),
    );
  }

  private publish(clientId: string, id: number): void {
    const message = { id: `m${id}`, payload: id };
    // The pid cm.deliver picks (the newest live channel): the message's first holder.
    const target = this.cm.tables
      .lookup(clientId)
      .filter((p) => this.rt.isAlive(p))
      .at(-1);
    const accepted = this.cm.deliver(clientId, message);
    if (accepted && target) this.holder.set(message.id, { pid: String(target), where: 'mailbox' });
    this.tp('sim.publish', { clientId, id: message.id, accepted });
    if (accepted) {
      let list = this.accepted.get(clientId);
      if (!list) this.accepted.set(clientId, (list = []));
      list.push(message.id);
    }
  }

  private inject(fault: Fault, point?: TracePoint): void {
    if (fault.kind === 'publish') {
      this.publish(fault.clientId, fault.id);
      return;
    }
    const pid = this.resolve(fault.target);
    this.tp('sim.fault', { fault: fault.kind, target: fault.target, hit: pid !== undefined });
    if (!pid) return;
    const key = String(pid);
    const clientId = this.clientOf.get(key);
    if (clientId === undefined) {
      for (const c of this.clientOf.values()) this.lossy.add(c); // cm, locker: everyone may lose
    } else if (this.inHandover(pid, key, fault.kind, point)) {
      // The session has another holder (the taker, or the old channel still handing over): it
      // must survive; only what this process held in transit may be lost.
      this.excusedHolders.add(key);
    } else {
      this.lossy.add(clientId);
    }
    switch (fault.kind) {
      case 'kill':
        this.rt.exit(pid, 'kill');
        break;
      case 'hang':
        this.rt.suspend(pid);
        this.hung.add(key);
        break;
      case 'crash':
        this.rt.exit(pid, { error: new Error(`injected crash of ${fault.target}`) });
        break;
    }
    this.observe();
  }

  /**
   * True when the session has another live holder than `pid`, so it must survive the fault: `pid`
   * is an old channel handing it over to a live taker, or a taker killed (not hung: a hung taker
   * goes on opening and ends up the session's only holder) whose open has not called takeover end
   * yet, while its old channel, if any, is alive, not hung, and still holds the session for the
   * next taker. When both holders are hit, the session is lost with them.
   */
  private inHandover(pid: Pid, key: string, kind: Fault['kind'], point: TracePoint | undefined): boolean {
    // Inside the old channel's own begin transition its state is not updated yet.
    const ownBegin = point?.kind.startsWith('ch.takeover') === true && String(point.fields['pid']) === key;
    if (ownBegin || this.rt.processInfo(pid)?.state === 'takingOver') {
      const taker = this.takerOf.get(key);
      return taker !== undefined && this.holds(taker);
    }
    const open = this.opens.get(key);
    if (kind === 'hang' || open === undefined || open.response !== undefined || this.endCalled.has(key))
      return false;
    const old = this.oldOf.get(key);
    return old === undefined || this.holds(old);
  }

  /** Whether `pid` can still pass a session on: alive, and not hung by a fault. */
  private holds(pid: Pid): boolean {
    return this.rt.isAlive(pid) && !this.hung.has(String(pid));
  }

  private resolve(target: string): Pid | undefined {
    const pid = this.pids.get(target) ?? this.rt.whereis(target);
    return pid && this.rt.isAlive(pid) ? pid : undefined;
  }

  // --- Trace points: faults that fire at a point, and strategy-injected ones

  private onPoint(point: TracePoint): void {
    if (point.kind.startsWith('sim.')) return;
    if (this.options.invariants !== false) this.checkAtPoint(point);
    if (this.finalPhase) return;
    const clientId = typeof point.fields['clientId'] === 'string' ? point.fields['clientId'] : undefined;
    switch (point.kind) {
      case 'cm.takeover.begin.answered':
        this.handedOver.add(String(point.fields['pid']));
        break;
      case 'cm.takeover.begin.called':
      case 'ch.takeover.begin.received': {
        // The open asking for the session holds the client id's lock: it is the taker.
        const taker = clientId === undefined ? undefined : this.cm.locker.holder(clientId);
        const old = point.fields['pid'] as Pid;
        if (taker === undefined) break;
        this.takerOf.set(String(old), taker);
        this.oldOf.set(String(taker), old);
        break;
      }
      case 'cm.takeover.end.answered':
        this.handedAll.add(String(point.fields['pid']));
        break;
      case 'cm.takeover.end.called': {
        // The open that calls end holds the client id's lock: it is the taker. Once end is on
        // its way the old channel hands everything over and exits, so a dead taker takes the
        // session with it.
        const taker = clientId === undefined ? undefined : this.cm.locker.holder(clientId);
        if (taker === undefined) break;
        this.endCalled.add(String(taker));
        if (!this.rt.isAlive(taker) && clientId !== undefined) this.lossy.add(clientId);
        break;
      }
      case 'ch.deliver': {
        const id = point.fields['id'];
        if (typeof id === 'string' && this.holder.has(id)) {
          this.holder.set(id, { pid: String(point.fields['pid']), where: String(point.fields['into']) });
        }
        break;
      }
      case 'ch.exit':
        // A session that ends with its channel (anything but a completed handover) may take
        // queued messages with it: conservation no longer applies to that client id.
        if (point.fields['reason'] !== 'takenover') {
          if (clientId !== undefined) this.lossy.add(clientId);
        } else {
          this.handedAll.add(String(point.fields['pid']));
        }
        break;
    }
    // Counted once per point, per kind and per kind and client id, before any trigger reads them
    // (only the kinds a trigger or an injecting strategy reads: no other count is ever read).
    const counts = this.triggerCounts;
    if (this.countedKinds === undefined || this.countedKinds.has(point.kind))
      counts.set(point.kind, (counts.get(point.kind) ?? 0) + 1);
    if (clientId !== undefined && this.countedClientKinds.has(point.kind)) {
      const k = `${point.kind}|${clientId}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const fault of this.atFaults) {
      const at = fault.at as Trigger;
      if (at.point !== point.kind) continue;
      if (at.clientId !== undefined && at.clientId !== clientId) continue;
      if (this.countFor(at, clientId) !== (at.nth ?? 0)) continue;
      this.inject(fault, point);
    }
    if (this.injectsFaults && this.random(16) === 0) this.injectAt(point, clientId);
  }

  /**
   * The invariants checked at the instant the live set or the DOWN handling changes them, where a
   * quiescent check would come too late (the state converges again): §H.1 a pid is counted live
   * only once it has its conn row; §H.3 a DOWN counts out only a dead pid, and once the manager has
   * handled a DOWN batch none of its pids is counted live (checked after the step, see `drive`).
   */
  private checkAtPoint(point: TracePoint): void {
    switch (point.kind) {
      case 'cm.live.incremented': {
        const pid = point.fields['pid'] as Pid;
        if (this.cm.tables.connOf(pid) === undefined)
          this.violations.push(`H.1: ${String(pid)} counted live before it has a conn row`);
        return;
      }
      case 'cm.live.decremented': {
        const pid = point.fields['pid'] as Pid;
        if (point.fields['by'] === 'down' && this.rt.isAlive(pid))
          this.violations.push(`H.3: a DOWN counted out ${String(pid)}, which is alive`);
        return;
      }
      case 'cm.down.batch':
        this.downBatch = point.fields['pids'] as readonly unknown[];
        return;
    }
  }

  /** After the manager's step that handled a DOWN batch: no pid of the batch is counted live. */
  private checkDownBatch(): void {
    const pids = this.downBatch;
    if (pids === undefined) return;
    this.downBatch = undefined;
    for (const pid of pids) {
      if (this.cm.tables.isLive(pid as Pid))
        this.violations.push(`H.3: ${String(pid)} still counted live after its DOWN was handled`);
    }
  }

  /** How many earlier points matched this trigger (the per-kind count, or per kind and client id). */
  private countFor(at: Trigger, clientId: string | undefined): number {
    const k = at.clientId === undefined ? at.point : `${at.point}|${clientId ?? ''}`;
    return (this.triggerCounts.get(k) ?? 1) - 1;
  }

  /** A strategy's fault at this point: recorded with its trigger, so the scenario replays it. */
  private injectAt(point: TracePoint, clientId: string | undefined): void {
    const conns = [...this.pids.keys()].filter((n) => this.resolve(n) !== undefined);
    const roll = this.random(4);
    const at: Trigger = { point: point.kind, nth: (this.triggerCounts.get(point.kind) ?? 1) - 1 };
    let fault: Fault;
    if (roll === 0 && clientId !== undefined) {
      fault = { kind: 'publish', clientId, id: 1000 + this.faults.length, at };
    } else {
      if (conns.length === 0) return;
      const target = conns[this.random(conns.length)] as string;
      const kind = (['kill', 'hang', 'crash'] as const)[this.random(3)] as 'kill' | 'hang' | 'crash';
      fault = { kind, target, at };
    }
    this.faults.push(fault);
    this.inject(fault, point);
  }

  // --- Driving

  private tp(kind: string, fields: Record<string, unknown>): void {
    this.rt.trace.tp(kind, fields);
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private unexpected(what: string, err: unknown): void {
    this.violations.push(`unexpected error in ${what}: ${describe(err)}`);
  }

  /** Records deaths that became visible since the last look (for the history). */
  private observe(): void {
    const watched = this.watched;
    for (let i = 0; i < watched.length; i++) {
      const { key, pid, clientId } = watched[i] as (typeof watched)[number];
      if (this.rt.isAlive(pid)) continue;
      watched.splice(i--, 1);
      this.history.death(clientId, key, this.lastCheck);
      // An old channel that answered begin and died before end, with no taker left to hold the
      // session (read from the manager's points, so a user's own connection machine counts too).
      if (this.handedOver.has(key) && !this.handedAll.has(key)) {
        const taker = this.takerOf.get(key);
        if (taker === undefined || !this.holds(taker)) this.lossy.add(clientId);
      }
      const open = this.opens.get(key);
      if (open && open.response === undefined) open.indeterminate = true;
    }
    this.lastCheck = this.history.now;
  }

  /** Steps until nothing is runnable and no timer is left (or `until` holds when idle). */
  private async drive(until?: () => boolean): Promise<void> {
    const sched = this.sched;
    for (;;) {
      if (this.violations.length > 0) return;
      if (sched.step()) {
        if (++this.steps > this.maxSteps) {
          this.violations.push(`step limit: ${this.maxSteps} steps without quiescence (a livelock?)`);
          return;
        }
        this.checkDownBatch();
        this.observe();
        // The code outside processes (openSession, stepdowns) runs its promise callbacks between
        // steps, as it does live, where microtasks run between dispatcher turns.
        for (let i = 0; i < TICKS; i++) await TICK;
        continue;
      }
      await this.settle();
      this.observe();
      if (!sched.isIdle()) continue;
      if (until?.()) return;
      if (this.options.invariants !== false) this.alwaysChecks();
      const next = sched.advanceToNextTimer();
      if (next === undefined) return;
      if (next > this.maxTimeMs) {
        this.violations.push(`time limit: still busy at ${next} ms of virtual time`);
        return;
      }
    }
  }

  /**
   * Lets every pending promise callback run (they may make new work runnable): microtask turns
   * until something is runnable or a long run of turns changed nothing. No macrotask is needed
   * (nothing in the world does I/O), which keeps a run free of event-loop round trips.
   */
  private async settle(): Promise<void> {
    for (let i = 0; i < SETTLE_TICKS; i++) {
      await TICK;
      if ((i & 7) === 7 && !this.sched.isIdle()) return;
    }
  }

  /**
   * Waits for every operation in flight, then for the manager to drain (`cm.sync()`). One sync at
   * a time: each `cm.sync()` pings the manager until its mailbox is empty, so two at once could
   * keep finding each other's ping. The sync is not awaited past the drive: a run stopped by a
   * violation, or with a hung manager, may never see it answer.
   */
  private async quiesce(): Promise<void> {
    const sync = (this.syncing ??= this.cm.sync().then(
      () => (this.syncing = undefined),
      () => (this.syncing = undefined),
    ));
    void sync;
    await this.drive(() => this.syncing === undefined && this.inFlight.size === 0);
  }

  // --- Checks

  /** The invariants that hold at every instant (§H.1 coherence, §H.3 count ≥ 0). */
  private alwaysChecks(): void {
    for (const v of this.cm.tables.invariants()) this.violations.push(`always ${v}`);
    // §H.5: at an idle point every DOWN has been handled, so a dead owner's lock is gone.
    for (const lock of this.cm.locker.held()) {
      if (!this.rt.isAlive(lock.owner)) {
        this.violations.push(
          `H.5: lock of ${lock.clientId} still held by dead ${String(lock.owner)} when idle`,
        );
      }
    }
  }

  private async finalChecks(): Promise<void> {
    // §H.7: at quiescence no timer is left, so a channel still taking over never will stop. Checked
    // before the conservation reconnects below, which would take it over and hide it.
    for (const [name, pid] of this.pids) {
      if (this.hung.has(String(pid))) continue;
      if (this.rt.isAlive(pid) && this.rt.processInfo(pid)?.state === 'takingOver')
        this.violations.push(`H.7: ${name} is stuck taking over`);
    }
    // §H.8: every message accepted for a client id whose session only ever moved by takeover
    // reaches its client exactly once: a last connection resumes the session to collect the rest.
    for (const [clientId, ids] of this.accepted) {
      if (this.lossy.has(clientId) || ids.length === 0) continue;
      this.connect(`z${clientId}`, clientId, false, true);
      await this.quiesce();
    }
    const { cm, rt } = this;
    const alive = (p: Pid): boolean => rt.isAlive(p);
    for (const v of cm.tables.invariants(alive)) this.violations.push(v);
    const clientIds = new Set([...this.clientOf.values()]);
    for (const clientId of clientIds) {
      const owners = cm.tables.lookup(clientId).filter(alive);
      if (owners.length > 1)
        this.violations.push(`H.4: ${owners.length} live registered channels for ${clientId}`);
      if (cm.locker.holder(clientId) !== undefined)
        this.violations.push(`H.5: lock of ${clientId} still held`);
      const rows = await cm.registry.lookup(clientId);
      for (const p of rows)
        if (!alive(p)) this.violations.push(`H.2: registry row (${clientId}, ${String(p)}) for a dead pid`);
    }
    const stats = cm.stats();
    const channels = cm.allChannels().length;
    if (stats.channels.count !== channels)
      this.violations.push(`H.12: channels.count ${stats.channels.count} ≠ ${channels} rows`);
    if (stats.sessions.count !== stats.channels.count)
      this.violations.push(`H.12: sessions.count ≠ channels.count`);
    for (const [name, s] of Object.entries(stats) as [string, { count: number; max: number }][]) {
      if (s.max < s.count) this.violations.push(`H.12: ${name}.max ${s.max} < count ${s.count}`);
    }
    const live = cm.allChannels().filter((p) => cm.tables.isLive(p));
    if (cm.connectedClientCount() !== live.length)
      this.violations.push(`H.3: live count ${cm.connectedClientCount()} ≠ ${live.length}`);
    if (rt.isAlive(cm.pid)) {
      const pmon = await this.callManager<number>({ type: 'ch.pmon.size' });
      if (pmon !== undefined && pmon !== channels)
        this.violations.push(`H.2: the manager monitors ${pmon} pids for ${channels} channels`);
    }
    for (const name of this.presentOnClean)
      this.violations.push(`H.9: clean start of ${name} answered present`);
    for (const [name, pid] of this.pids) {
      if (!rt.isAlive(pid)) continue;
      const key = String(pid);
      const clientId = this.clientOf.get(key) as string;
      if (
        rt.processInfo(pid)?.state !== 'takingOver' &&
        this.opens.get(key)?.ok === true &&
        !cm.tables.lookup(clientId).some((p) => String(p) === key)
      ) {
        this.violations.push(`H.1: ${name} opened and is alive, but its rows for ${clientId} are gone`);
      }
    }
    this.stepdownLiveness();
    this.conservation();
  }

  /** §H.7: every stepdown request ends (answered or failed) within its timeout. */
  private stepdownLiveness(): void {
    const kickMs = this.options.manager?.timeouts?.kickMs ?? 5000;
    const takeoverMs = this.options.manager?.timeouts?.takeoverMs ?? 15000;
    const open = new Map<string, TracePoint>();
    for (const p of this.trace) {
      const m = stepdownPoint(p.kind);
      if (m === undefined) continue;
      const [action, phase] = m;
      const key = `${action}|${String(p.fields['pid'])}`;
      if (phase === 'called') open.set(key, p);
      else {
        const start = open.get(key);
        open.delete(key);
        const limit = (action === 'kick' || action === 'discard' ? kickMs : takeoverMs) + 1;
        if (start && p.at - start.at > limit) {
          this.violations.push(`H.7: ${action} of ${String(p.fields['pid'])} took ${p.at - start.at} ms`);
        }
      }
    }
    for (const [key] of open) this.violations.push(`H.7: stepdown ${key} never ended`);
  }

  private async callManager<T>(request: { type: string }): Promise<T | undefined> {
    let value: T | undefined;
    let done = false;
    void this.rt.call<T>(this.cm.pid, request, { timeoutMs: Infinity }).then(
      (v) => ((value = v), (done = true)),
      () => (done = true),
    );
    await this.drive(() => done);
    return value;
  }

  /**
   * A message last held in transit (mailbox, pendings, early buffer) by a process hit by a fault
   * mid-handover; or one still undelivered in an old channel's mailbox when it completed its
   * handover and exited. The latter is a window the runtime's per-(sender, receiver) FIFO allows
   * (a delivery issued before the taker registered, overtaken by the end call from another sender)
   * and a single node's dispatcher does not produce; EMQX closes it with the node's causal order
   * plus `drain_deliver`. See docs/guides/testing-for-races.md.
   */
  private excused(id: string): boolean {
    const h = this.holder.get(id);
    if (h === undefined) return false;
    if (h.where === 'mailbox' && this.handedAll.has(h.pid)) return true;
    return this.excusedHolders.has(h.pid) && h.where !== 'session' && h.where !== 'socket';
  }

  /** §H.8: no message sent to a client twice; none lost where the session only moved by takeover. */
  private conservation(): void {
    const byClient = new Map<string, string[]>();
    for (const [name, ids] of this.outbound) {
      const pid = this.pids.get(name);
      const clientId = pid ? this.clientOf.get(String(pid)) : undefined;
      if (clientId === undefined) continue;
      let list = byClient.get(clientId);
      if (!list) byClient.set(clientId, (list = []));
      list.push(...ids);
    }
    for (const [clientId, ids] of byClient) {
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) this.violations.push(`H.8: ${id} sent to ${clientId} twice`);
        seen.add(id);
      }
    }
    for (const [clientId, ids] of this.accepted) {
      if (this.lossy.has(clientId)) continue;
      const got = new Set(byClient.get(clientId) ?? []);
      const lost = ids.filter((id) => !got.has(id) && !this.excused(id));
      if (lost.length > 0)
        this.violations.push(`H.8: ${lost.join(', ')} for ${clientId} lost across takeover`);
    }
  }
}

/** The random stream of a run without a strategy: never drawn from (only strategies draw). */
function noStrategyRandom(): number {
  throw new Error('world: no strategy, so nothing draws from the choice stream');
}

function codeOf(err: unknown): string {
  return isSwitchboardError(err) ? err.code : 'error';
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
