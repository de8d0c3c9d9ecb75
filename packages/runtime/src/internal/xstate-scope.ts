/**
 * Runs XState logic inside process shells. XState's ActorLogic interface
 * (`getInitialSnapshot(scope, input)`, `transition(snapshot, event, scope)`) asks its caller for
 * an actor scope and a system; this module supplies both, so that:
 * - delayed events and `after` transitions are timers on the Clock port;
 * - `sendTo` between processes becomes a mailbox enqueue through the Dispatcher (never a
 *   synchronous nested delivery);
 * - inspection events reach the runtime's stream only while someone subscribes.
 * One scope object serves every process: its `self` is switched for each transition (a stack
 * handles the one nesting case, a spawn from inside a transition).
 */
import { InvalidOption } from '../errors.js';
import type { TimerHandle } from '../ports/clock.js';
import type { Runtime } from '../runtime.js';
import type { Kernel } from './kernel.js';
import { EXTERNAL, Process, RUNTIME } from './process.js';
import type { AnyEvent } from './process.js';
import { EMPTY_RECORD, EMPTY_TAGS } from './snapshot-hibernation.js';

/** The subset of an XState actor ref (a child actor inside a process) this module touches. */
interface XActorRef {
  readonly sessionId: string;
  readonly id: string;
  readonly _parent?: XActorRef | Process;
  _send(event: AnyEvent): void;
  _stop?(): void;
}

type Ref = XActorRef | Process;

interface Template {
  readonly snapshot: unknown;
  /** The machine's context factory, called per process (the shared snapshot has a placeholder context). */
  readonly context: ContextFactory | undefined;
  readonly timers: readonly { event: AnyEvent; delay: number; id: string | undefined }[];
}

interface XAction {
  readonly type: string;
  readonly params: unknown;
  readonly info: unknown;
  readonly exec?: (info: unknown, params: unknown) => void;
}

/** The system object XState logic and child actors see; `runtime` lets our actions reach the kernel. */
export interface RuntimeSystem {
  readonly runtime: Runtime;
  readonly [key: string]: unknown;
}

/** Gets the kernel from XState action arguments' `system`. */
export function kernelOf(system: unknown): Kernel {
  const runtime = (system as Partial<RuntimeSystem> | undefined)?.runtime;
  if (!runtime) throw new InvalidOption('this action only works inside a Switchboard process');
  return runtime as Kernel;
}

/** Returns the process that owns an XState ref (itself, or the process a child actor lives in). */
function ownerOf(ref: unknown): Process | undefined {
  let r = ref as Ref | undefined;
  for (let depth = 0; r && depth < 64; depth++) {
    if (r instanceof Process) return r;
    r = r._parent;
  }
  return undefined;
}

/**
 * Initial snapshots shared by every process of a machine, where that is provably safe (see
 * `template`), across runtimes too: a template holds no runtime state (the probe runs no user code
 * and keeps only the snapshot value and its `after` timers), and a test that builds a runtime per
 * run would otherwise probe every machine again each time.
 */
const TEMPLATES = new WeakMap<object, Template | null>();

export class XStateScope {
  readonly system: RuntimeSystem;
  private readonly stack: Process[] = [];
  private readonly deferred: (() => void)[][] = [];
  private readonly initializing: boolean[] = [];
  private readonly scope: {
    self: Process | undefined;
    id: string;
    sessionId: string;
    readonly [key: string]: unknown;
  };
  private readonly childTimers = new WeakMap<object, Map<string, TimerHandle>>();
  /**
   * Child actors registered by `systemId`, per process: every process is its own XState root, so
   * the same machine (with the same systemIds) can run in any number of processes.
   */
  private readonly keyed = new WeakMap<Process, Map<string, unknown>>();
  private readonly children = new Map<string, unknown>();
  private nextScheduleId = 0;
  private nextChildId = 0;

  constructor(private readonly kernel: Kernel) {
    const clock = kernel.clock;
    const scheduler = {
      schedule: (source: Ref, target: Ref, event: AnyEvent, delay: number, id?: string) =>
        this.schedule(source, target, event, delay, id),
      cancel: (source: Ref, id: string) => {
        const timers = this.timersOf(source, false);
        const handle = timers?.get(id);
        if (handle === undefined) return;
        timers?.delete(id);
        clock.clearTimeout(handle);
        // An empty Map still holds its hash table (~150 B): drop it, most processes leave their last timed state.
        if (timers?.size === 0 && source instanceof Process) source.timers = null;
      },
      cancelAll: (source: Ref) => {
        const timers = this.timersOf(source, false);
        if (!timers) return;
        for (const handle of timers.values()) clock.clearTimeout(handle);
        timers.clear();
      },
    };
    this.system = {
      runtime: kernel,
      scheduler,
      _bookId: () => `x:${this.nextChildId++}`,
      _register: (sessionId: string, ref: unknown) => {
        this.children.set(sessionId, ref);
        return sessionId;
      },
      _unregister: (ref: XActorRef) => {
        this.children.delete(ref.sessionId);
        const keyed = this.keyedOf(ownerOf(ref), false);
        if (keyed) for (const [key, value] of keyed) if (value === ref) keyed.delete(key);
      },
      // Looked up from inside a process's transition: the running process's own registry.
      get: (systemId: string) => this.keyedOf(this.current, false)?.get(systemId),
      getAll: () => Object.fromEntries(this.keyedOf(this.current, false) ?? []),
      _set: (systemId: string, ref: unknown) => {
        const keyed = this.keyedOf(ownerOf(ref) ?? this.current, true);
        if (!keyed) return;
        const existing = keyed.get(systemId);
        if (existing !== undefined && existing !== ref)
          throw new Error(`Actor with system ID '${systemId}' already exists.`);
        keyed.set(systemId, ref);
      },
      inspect: (observer: ((e: unknown) => void) | { next?: (e: unknown) => void }) =>
        kernel.inspect((e) => (typeof observer === 'function' ? observer(e) : observer.next?.(e))),
      _sendInspectionEvent: (event: { actorRef?: unknown }) => {
        if (!kernel.inspecting) return;
        const root = ownerOf(event.actorRef);
        if (!kernel.tracesXState(root)) return;
        kernel.emit({ ...(event as object), rootId: root?.sessionId ?? '' } as never);
      },
      _relay: (source: Ref | undefined, target: Ref, event: AnyEvent) => this.relay(source, target, event),
      getSnapshot: () => ({ _scheduledEvents: {} }),
      start: () => undefined,
      _clock: {
        setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms, 'xstate-child'),
        clearTimeout: (handle: TimerHandle) => clock.clearTimeout(handle),
      },
      // `actor` is the pid, as in every other line about a process, so log lines correlate.
      _logger: (...args: unknown[]) =>
        kernel.logger.info({ actor: this.current?.sessionId }, args.map(String).join(' ')),
      _snapshot: { _scheduledEvents: {} },
    };
    this.scope = {
      self: undefined,
      id: '',
      sessionId: '',
      system: this.system,
      logger: this.system['_logger'],
      defer: (fn: () => void) => this.deferred[this.stack.length - 1]?.push(fn),
      stopChild: (child: XActorRef) => child._stop?.(),
      emit: () => undefined,
      actionExecutor: (action: XAction) => this.execute(action),
    };
  }

  /** The process whose logic is running now, if any. */
  get current(): Process | undefined {
    // Guarded: `stack[-1]` on an empty stack is a slow named-property miss (~80 ns), and every send
    // from outside a process and every `leave()` back to the top level would pay it.
    const depth = this.stack.length;
    return depth === 0 ? undefined : this.stack[depth - 1];
  }

  /** Builds the initial snapshot and runs entry actions. A throw leaves an error snapshot. */
  init(proc: Process, input: unknown): void {
    const template = this.template(proc.logic);
    if (template) {
      proc.snapshot = template.context ? withContext(template, proc, input) : template.snapshot;
      if ((proc.snapshot as { status?: string }).status === 'active') {
        for (const t of template.timers) this.schedule(proc, proc, t.event, t.delay, t.id);
      }
    } else {
      this.initFresh(proc, input);
    }
    if (this.kernel.inspecting && this.kernel.tracesXState(proc)) {
      this.kernel.emit({ type: '@xstate.actor', rootId: proc.sessionId, actorRef: proc });
      this.kernel.emit({
        type: '@xstate.snapshot',
        rootId: proc.sessionId,
        actorRef: proc,
        event: { type: 'xstate.init' },
        snapshot: proc.snapshot,
      });
    }
  }

  private initFresh(proc: Process, input: unknown): void {
    this.enter(proc, true);
    try {
      proc.snapshot = compact(proc.logic.getInitialSnapshot(this.scope, input));
      this.initializing[this.stack.length - 1] = false;
      proc.logic.start?.(proc.snapshot, this.scope);
      this.runDeferred();
    } catch (error) {
      proc.snapshot = { status: 'error', error, output: undefined };
    } finally {
      this.leave();
    }
  }

  /**
   * XState snapshots are immutable values, so when a machine's initial snapshot cannot depend on
   * the process (no eventless transitions to run guards, no children, no entry action but `after`
   * timers of fixed delay; a context factory that spawns nothing), every process can share one initial
   * snapshot and just arm its own timers. That skips the initial macrostep, the bulk of a spawn.
   * Found once per machine by a probe that runs no user code; anything else takes the full path.
   */
  private template(logic: unknown): Template | null {
    const cached = TEMPLATES.get(logic as object);
    if (cached !== undefined) return cached;
    const template = probeTemplate(logic, this.system);
    TEMPLATES.set(logic as object, template);
    return template;
  }

  /** Runs one event through the logic. Returns `{ error }` if the logic threw. */
  transition(proc: Process, event: AnyEvent): { error: unknown } | undefined {
    this.enter(proc, false);
    let crash: { error: unknown } | undefined;
    try {
      proc.snapshot = compact(proc.logic.transition(proc.awake(), event, this.scope));
      this.runDeferred();
    } catch (error) {
      crash = { error };
    } finally {
      this.leave();
    }
    if (this.kernel.inspecting && this.kernel.tracesXState(proc)) {
      this.kernel.emit({
        type: '@xstate.snapshot',
        rootId: proc.sessionId,
        actorRef: proc,
        event,
        snapshot: proc.snapshot,
      });
    }
    return crash;
  }

  /**
   * Stops the logic of a dying process: XState's `xstate.stop` stops invoked and spawned child
   * actors and runs callback disposers. Skipped for a machine with no children (nothing to do).
   */
  stop(proc: Process): void {
    const snapshot = proc.awake() as { status?: string; children?: Record<string, unknown> } | undefined;
    if (!snapshot || snapshot.status !== 'active') return;
    const isMachine = (proc.logic as { root?: unknown }).root !== undefined;
    if (isMachine && (!snapshot.children || Object.keys(snapshot.children).length === 0)) return;
    this.enter(proc, false);
    try {
      proc.snapshot = proc.logic.transition(snapshot, { type: 'xstate.stop' }, this.scope);
      this.runDeferred();
    } catch (err) {
      this.kernel.logger.warn({ actor: String(proc.pid), err }, 'error while stopping logic');
    } finally {
      this.leave();
    }
  }

  cancelAllTimers(proc: Process): void {
    if (!proc.timers) return;
    for (const handle of proc.timers.values()) this.kernel.clock.clearTimeout(handle);
    proc.timers = null;
  }

  // --- internals

  private enter(proc: Process, initializing: boolean): void {
    const depth = this.stack.length;
    this.stack.push(proc);
    this.initializing[depth] = initializing;
    const list = this.deferred[depth];
    if (list) list.length = 0;
    else this.deferred[depth] = [];
    this.point(proc);
  }

  private leave(): void {
    this.stack.pop();
    const top = this.current;
    if (top) this.point(top);
    else this.scope.self = undefined;
  }

  private point(proc: Process): void {
    this.scope.self = proc;
    this.scope.id = proc.label;
    this.scope.sessionId = proc.sessionId;
  }

  private runDeferred(): void {
    const list = this.deferred[this.stack.length - 1];
    if (!list) return;
    // Deferred effects may defer more; run until the list is drained.
    for (let i = 0; i < list.length; i++) (list[i] as () => void)();
    list.length = 0;
  }

  private execute(action: XAction): void {
    const self = this.current;
    if (this.kernel.inspecting && self && this.kernel.tracesXState(self)) {
      this.kernel.emit({
        type: '@xstate.action',
        rootId: self.sessionId,
        actorRef: self,
        action: { type: action.type, params: action.params },
      });
    }
    const exec = action.exec;
    if (!exec) return;
    // Entry actions of the initial state run after the snapshot exists, as XState does.
    if (this.initializing[this.stack.length - 1])
      this.deferred[this.stack.length - 1]?.push(() => exec(action.info, action.params));
    else exec(action.info, action.params);
  }

  private relay(source: Ref | undefined, target: Ref, event: AnyEvent): void {
    if (target instanceof Process) {
      const sender = ownerOf(source) ?? this.current ?? EXTERNAL;
      this.kernel.enqueue(target, sender, event, false);
      return;
    }
    // A child actor living inside a process: XState's own (synchronous) delivery.
    const owner = ownerOf(target);
    if (this.kernel.inspecting && owner && this.kernel.tracesXState(owner)) {
      this.kernel.emit({
        type: '@xstate.event',
        rootId: owner.sessionId,
        actorRef: target,
        sourceRef: source,
        event,
      });
    }
    target._send(event);
  }

  private schedule(source: Ref, target: Ref, event: AnyEvent, delay: number, id?: string): void {
    const key = id ?? `d${this.nextScheduleId++}`;
    const timers = this.timersOf(source, true) as Map<string, TimerHandle>;
    const prior = timers.get(key);
    if (prior !== undefined) this.kernel.clock.clearTimeout(prior);
    const owner = ownerOf(source);
    const handle = this.kernel.clock.setTimeout(
      () => {
        timers.delete(key);
        if (timers.size === 0 && source instanceof Process && source.timers === timers) source.timers = null;
        if (target instanceof Process) this.kernel.enqueue(target, RUNTIME, event, true);
        else target._send(event);
      },
      delay,
      `${owner?.label ?? 'child'}/${key}`,
    );
    timers.set(key, handle);
  }

  private keyedOf(owner: Process | undefined, create: boolean): Map<string, unknown> | undefined {
    if (!owner) return undefined;
    let keyed = this.keyed.get(owner);
    if (!keyed && create) {
      keyed = new Map();
      this.keyed.set(owner, keyed);
    }
    return keyed;
  }

  private timersOf(source: Ref, create: boolean): Map<string, TimerHandle> | undefined {
    if (source instanceof Process) {
      if (!source.timers && create) source.timers = new Map();
      return source.timers ?? undefined;
    }
    let timers = this.childTimers.get(source);
    if (!timers && create) {
      timers = new Map();
      this.childTimers.set(source, timers);
    }
    return timers;
  }
}

interface MachineLike {
  readonly root: unknown;
  readonly config: { readonly context?: unknown };
  readonly implementations?: { readonly delays?: Record<string, unknown> };
  getInitialSnapshot(scope: unknown, input: unknown): unknown;
}

interface StateNodeLike {
  readonly type: string;
  readonly states: Record<string, StateNodeLike>;
  readonly parent?: StateNodeLike;
  readonly entry: readonly unknown[];
  readonly always?: readonly unknown[];
  readonly invoke: readonly unknown[];
  readonly after: unknown;
  readonly initial: { readonly target: readonly StateNodeLike[]; readonly actions: readonly unknown[] };
}

/**
 * True when entering the machine's initial configuration runs no user code: no eventless
 * transitions (guards), no invocations, no initial-transition actions, and no entry action but
 * the timers XState adds for `after` (a raise of an `xstate.after.*` event with a numeric delay).
 */
function initialPathIsInert(node: StateNodeLike): boolean {
  void node.after; // XState adds the `after` timers to `entry` lazily, on first access
  if ((node.always?.length ?? 0) > 0 || node.invoke.length > 0) return false;
  for (const action of node.entry) {
    const raise = action as { type?: unknown; delay?: unknown; event?: { type?: unknown } };
    const isAfterTimer =
      typeof action === 'function' &&
      raise.type === 'xstate.raise' &&
      typeof raise.delay === 'number' &&
      typeof raise.event?.type === 'string' &&
      raise.event.type.startsWith('xstate.after.');
    if (!isAfterTimer) return false;
  }
  if (node.type === 'parallel') return Object.values(node.states).every(initialPathIsInert);
  if (node.type !== 'compound') return true;
  const initial = node.initial;
  if (initial.actions.length > 0) return false;
  return initial.target.every((target) => target.parent === node && initialPathIsInert(target));
}

type ContextFactory = (args: { spawn: unknown; input: unknown; self: unknown }) => unknown;

/**
 * Every XState macrostep builds a new `tags` Set and often new empty `children` and
 * `historyValue` objects: ≈ 260 B per process that nobody reads while they are empty. XState
 * treats them as immutable values (it copies before it changes them), so empty ones are
 * replaced by shared ones (frozen: a write would throw instead of leaking into other processes).
 */
function compact(snapshot: unknown): unknown {
  const s = snapshot as { tags?: unknown; children?: unknown; historyValue?: unknown; _nodes?: unknown };
  if (s === null || typeof s !== 'object' || s._nodes === undefined) return snapshot;
  if (s.tags instanceof Set && s.tags.size === 0) s.tags = EMPTY_TAGS;
  if (isEmptyRecord(s.children)) s.children = EMPTY_RECORD;
  if (isEmptyRecord(s.historyValue)) s.historyValue = EMPTY_RECORD;
  if (Array.isArray(s._nodes)) s._nodes = sharedNodes(s._nodes as readonly object[]);
  return snapshot;
}

/** One frozen `_nodes` array per active state configuration, found by its last (deepest) node. */
const NODES = new WeakMap<object, readonly object[]>();

/**
 * Every process in the same state holds an equal `_nodes` array (the active state nodes, in
 * document order): ≈ 64 B each, and XState spreads a Set into it, which leaves spare room. XState
 * only reads it (a transition copies it into a new Set), so equal arrays are replaced by one frozen
 * one. Parallel states can give the same last node different arrays: those are compared, and
 * only the first configuration seen is shared.
 */
function sharedNodes(nodes: readonly object[]): readonly object[] {
  const last = nodes[nodes.length - 1];
  if (last === undefined) return nodes;
  const shared = NODES.get(last);
  if (shared === undefined) {
    const frozen = Object.freeze(nodes.slice());
    NODES.set(last, frozen);
    return frozen;
  }
  if (shared === nodes) return shared;
  if (shared.length !== nodes.length) return nodes;
  for (let i = 0; i < nodes.length; i++) if (shared[i] !== nodes[i]) return nodes;
  return shared;
}

function isEmptyRecord(value: unknown): boolean {
  if (value === EMPTY_RECORD || typeof value !== 'object' || value === null) return false;
  for (const _ in value) return false;
  return true;
}

/**
 * The snapshot of one process from a template whose machine builds its context from `input`:
 * with an inert initial path the context is the only part that differs, so a shallow copy of the
 * shared snapshot with this process's context equals what XState's initial macrostep would build.
 * A factory that throws leaves an error snapshot, as XState does.
 */
function withContext(template: Template, proc: Process, input: unknown): unknown {
  try {
    const context = (template.context as ContextFactory)({ spawn: noSpawn, input, self: proc });
    return { ...(template.snapshot as object), context };
  } catch (error) {
    return { status: 'error', error, output: undefined };
  }
}

function noSpawn(): never {
  throw new InvalidOption('spawn is not available in this context factory (it was not detected by name)');
}

/**
 * A context factory may take the shared path only if it cannot spawn children: children spawned
 * there would belong in the snapshot. Spawning needs the `spawn` argument, whose name survives
 * minification (destructuring and member access keep property names), so the source tells.
 */
function factoryMaySpawn(factory: (...args: never[]) => unknown): boolean {
  return Function.prototype.toString.call(factory).includes('spawn');
}

/** Computes a shareable initial snapshot, or null when the machine does not qualify. */
function probeTemplate(logic: unknown, system: RuntimeSystem): Template | null {
  const machine = logic as Partial<MachineLike>;
  if (machine.root === undefined || typeof machine.config !== 'object' || machine.config === null)
    return null;
  const config = machine.config as { context?: unknown };
  const factory = typeof config.context === 'function' ? (config.context as ContextFactory) : undefined;
  if (factory && factoryMaySpawn(factory)) return null;
  // Named delays matter only where the initial path arms them: `initialPathIsInert` requires
  // numeric `after` delays there; a named delay in a later state is resolved when it is entered.
  if (!initialPathIsInert(machine.root as StateNodeLike)) return null;
  const actions: XAction[] = [];
  const deferred: (() => void)[] = [];
  const timers: { event: AnyEvent; delay: number; id: string | undefined }[] = [];
  const probe = { sessionId: 'probe', id: 'probe', send: () => undefined, _send: () => undefined };
  const scope = {
    self: probe,
    id: 'probe',
    sessionId: 'probe',
    logger: () => undefined,
    system: {
      ...system,
      scheduler: {
        schedule: (_s: unknown, _t: unknown, event: AnyEvent, delay: number, id?: string) =>
          timers.push({ event, delay, id }),
        cancel: () => undefined,
        cancelAll: () => undefined,
      },
    },
    defer: (fn: () => void) => deferred.push(fn),
    stopChild: () => undefined,
    emit: () => undefined,
    // Recorded, not run: the probe must not execute user code.
    actionExecutor: (action: XAction) => actions.push(action),
  };
  let snapshot: { status?: string; children?: object; _nodes?: { always?: unknown[] }[] };
  // The probe must not call the user's context factory: hide it for this one synchronous call,
  // so XState builds the snapshot around a placeholder context that `withContext` replaces.
  try {
    if (factory) {
      config.context = undefined;
      if (config.context !== undefined) return null; // a frozen config: take the full path
    }
    snapshot = (machine as MachineLike).getInitialSnapshot(scope, undefined) as typeof snapshot;
  } catch {
    return null;
  } finally {
    if (factory && config.context !== factory) config.context = factory;
  }
  if (snapshot.status !== 'active' || Object.keys(snapshot.children ?? {}).length > 0) return null;
  if ((snapshot._nodes ?? []).some((node) => (node.always?.length ?? 0) > 0)) return null;
  for (const action of actions) {
    const params = action.params as { delay?: unknown; event?: { type?: unknown } } | undefined;
    const isAfterTimer =
      action.type === 'xstate.raise' &&
      typeof params?.delay === 'number' &&
      typeof params.event?.type === 'string' &&
      params.event.type.startsWith('xstate.after.');
    if (!isAfterTimer) return null;
  }
  try {
    for (const action of actions) action.exec?.(action.info, action.params);
    for (const fn of deferred) fn();
  } catch {
    return null;
  }
  return { snapshot, timers, context: factory };
}
