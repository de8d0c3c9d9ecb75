/**
 * The kernel: the process table and every operation on it. It runs machine logic through
 * XState's ActorLogic interface with a scope it supplies (see `xstate-scope.ts`), turns crashes
 * into exit reasons, propagates exit signals along links, delivers DOWNs (singly or batched),
 * and hands all work to the Dispatcher port so that order is never decided here.
 */
import type { Logger } from 'pino';
import {
  CalleeExited,
  CallTimeout,
  InvalidOption,
  MailboxFull,
  MailboxOverflow,
  NameTaken,
  NoProc,
  RuntimeStopped,
} from '../errors.js';
import { formatReason, isExitSignal } from '../exit-reason.js';
import type { DownReason, ExitReason, ExitSignal } from '../exit-reason.js';
import type { InspectOptions, InspectionEvent, InspectionObserver, Subscription } from '../inspection.js';
import { Mailbox, mailboxSpec } from '../mailbox.js';
import { Pid, Ref } from '../pid.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { DispatchHost, Dispatcher, WorkItem } from '../ports/dispatcher.js';
import type { Entropy } from '../ports/entropy.js';
import type {
  AnyProcessLogic,
  CallOptions,
  Dest,
  From,
  MonitorOptions,
  ProcessInfo,
  Runtime,
  ShutdownOptions,
  SpawnOptions,
} from '../runtime.js';
import { Tracer } from '../tracing.js';
import { CallPort } from './call-port.js';
import { ALIVE, DEAD, EXITING, EXTERNAL, Process, RUNTIME } from './process.js';
import type { AnyEvent, DownEntry, Monitor, ProcessHost, Sender, Watcher } from './process.js';
import { XStateScope } from './xstate-scope.js';
import { addLink, linkedPeers, removeLink } from './link-set.js';
import { addMonitor, monitorsIn, removeMonitor } from './monitor-set.js';

const EXIT_WORK = Symbol('exit');
const BATCH_WORK = Symbol('batch');

/**
 * The ref `monitor` returns is the monitor record itself (one object per monitor, all fields set
 * in the constructor, so no out-of-object property store). It remembers whether it is active so
 * `demonitor(ref)` needs no global index, and its watcher process so `demonitor(ref, { flush:
 * true })` can still find a DOWN queued after the monitor has fired.
 */
class MonitorRef extends Ref implements Monitor {
  /** ACTIVE, BATCH and FLUSHABLE: one small integer where three fields took 16 B more per monitor. */
  #bits: number;

  constructor(
    node: string,
    id: number,
    readonly watcher: Process,
    readonly target: Process,
    batch: boolean,
  ) {
    super(node, id);
    this.#bits = FLUSHABLE | (batch ? BATCH : 0);
  }

  get ref(): Ref {
    return this;
  }

  get batch(): boolean {
    return (this.#bits & BATCH) !== 0;
  }

  /** Itself while the monitor is active; cleared by `demonitor` and by the target's death. */
  get monitor(): Monitor | undefined {
    return (this.#bits & ACTIVE) !== 0 ? this : undefined;
  }
  set monitor(value: Monitor | undefined) {
    this.#bits = value === undefined ? this.#bits & ~ACTIVE : this.#bits | ACTIVE;
  }

  /** The watcher process whose mailbox a flushing `demonitor` searches, until one has. */
  get flushWatcher(): Process | undefined {
    return (this.#bits & FLUSHABLE) !== 0 ? this.watcher : undefined;
  }
  set flushWatcher(_cleared: undefined) {
    this.#bits &= ~FLUSHABLE;
  }
}

/** The bits of a {@link MonitorRef}. */
const ACTIVE = 1;
const BATCH = 2;
const FLUSHABLE = 4;

/** Watches on behalf of runtime code (shutdown waits), not a process. */
class CallbackWatcher implements Watcher {
  readonly label = 'cb';
  constructor(private readonly onDown: (reason: DownReason) => void) {}
  down(_monitor: Monitor, reason: DownReason): void {
    this.onDown(reason);
  }
}

/** Settings the kernel is built with (validated by `createRuntime`). */
export interface KernelSettings {
  readonly node: string;
  readonly incarnation: number;
  readonly logger: Logger;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly entropy: Entropy;
  readonly batchSize: number;
}

export class Kernel implements Runtime, ProcessHost, DispatchHost {
  readonly node: string;
  readonly incarnation: number;
  readonly logger: Logger;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly entropy: Entropy;
  readonly trace: Tracer;
  readonly batchSize: number;
  readonly batchesAtTurnEnd: boolean;
  readonly xstate: XStateScope;

  private readonly procs = new Map<number, Process>();
  private readonly names = new Map<string, Process>();
  private readonly calls = new Map<number, CallPort>();
  private readonly batchDirty = new Set<Process>();
  private readonly observers = new Set<InspectionObserver>();
  /** True while someone subscribes to the inspection stream: every emit site checks it first. */
  inspecting = false;
  /** Observers that want every process's XState events (the others get only watched processes'). */
  private xstateAll = 0;
  private nextId = 0;
  private nextRef = 0;
  /** The clock when the kernel started: processes keep their spawn time as whole ms since then. */
  private readonly epoch: number;
  private stopped = false;
  private emptyWaiters: (() => void)[] = [];

  constructor(settings: KernelSettings) {
    this.node = settings.node;
    this.incarnation = settings.incarnation;
    this.logger = settings.logger;
    this.dispatcher = settings.dispatcher;
    this.clock = settings.clock;
    this.epoch = settings.clock.now();
    this.entropy = settings.entropy;
    this.batchSize = settings.batchSize;
    this.batchesAtTurnEnd = settings.dispatcher.batchesAtTurnEnd;
    this.trace = new Tracer(this.logger, this.clock);
    this.xstate = new XStateScope(this);
    this.dispatcher.attach(this);
  }

  get system(): unknown {
    return this.xstate.system;
  }

  // ------------------------------------------------------------------ spawn

  spawn(logic: AnyProcessLogic, options: SpawnOptions = {}): Pid {
    if (this.stopped) throw new RuntimeStopped();
    if (typeof logic !== 'object' || logic === null || typeof logic.transition !== 'function') {
      throw new InvalidOption('spawn: logic must be XState actor logic (transition, getInitialSnapshot)');
    }
    const spec = mailboxSpec(options.mailbox);
    const batchSize = options.batchSize ?? this.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InvalidOption(`spawn: batchSize must be a positive integer, got ${String(batchSize)}`);
    }
    if (options.name !== undefined) this.checkName(options.name);
    const linkTo = options.link === undefined ? undefined : this.alive(options.link);
    if (options.link !== undefined && !linkTo) throw new NoProc(String(options.link));
    const parent = options.parent === undefined ? undefined : this.procs.get(options.parent.id);

    const pid = new Pid(this.node, ++this.nextId, this.incarnation);
    const proc = new Process(
      this,
      pid,
      logic,
      spec,
      options.trapExit ?? false,
      parent,
      Math.floor(this.clock.now() - this.epoch),
      batchSize,
    );
    this.procs.set(pid.id, proc);
    if (options.name !== undefined) {
      this.names.set(options.name, proc);
      proc.name = options.name;
    }
    if (linkTo) this.addLink(proc, linkTo);
    if (this.inspecting) this.emit({ type: 'rt.spawn', pid, name: proc.name, parent: parent?.pid });
    if (this.logger.isLevelEnabled('debug'))
      this.logger.debug({ actor: String(pid), parent: parent?.label }, 'spawn');
    this.xstate.init(proc, options.input);
    this.afterStep(proc);
    return pid;
  }

  // ------------------------------------------------------------------ messages

  send<TMessage extends { readonly type: string }>(to: Dest, message: TMessage): boolean {
    checkEvent(message);
    const target = this.resolve(to);
    if (!target) return false;
    return this.enqueue(target, this.xstate.current ?? EXTERNAL, message, false);
  }

  sendFromCurrent(target: Process, event: AnyEvent): void {
    this.enqueue(target, this.xstate.current ?? EXTERNAL, event, false);
  }

  /**
   * The one way into a mailbox. `system` messages (DOWN, EXIT, timers, replies) bypass the
   * capacity. Returns whether the message was queued.
   */
  enqueue(target: Process, sender: Sender, event: AnyEvent, system: boolean): boolean {
    if (target.status !== ALIVE) return false;
    const mailbox = (target.mailbox ??= new Mailbox<Sender, AnyEvent>(target.spec));
    const result = mailbox.offer(sender, event, system);
    if (result === 'queued') {
      if (this.inspecting && this.tracesXState(target)) this.emitEvent(sender, target, event);
      if (!target.queued) this.dispatcher.ready(target);
      return true;
    }
    if (this.inspecting) {
      this.emit({
        type: 'rt.mailbox.overflow',
        pid: target.pid,
        policy: target.spec.overflow,
        length: mailbox.length,
        dropped: mailbox.dropped,
      });
    }
    if (this.logger.isLevelEnabled('warn')) {
      this.logger.warn({ actor: String(target.pid), policy: target.spec.overflow }, 'mailbox overflow');
    }
    if (result === 'dropped-oldest') {
      if (!target.queued) this.dispatcher.ready(target);
      return true;
    }
    if (result === 'overflow') {
      this.scheduleExit(target, { error: new MailboxOverflow(String(target.pid), target.spec.capacity) });
    }
    return false;
  }

  call<TReply = unknown, TRequest extends { readonly type: string } = { readonly type: string }>(
    to: Dest,
    request: TRequest,
    options: CallOptions = {},
  ): Promise<TReply> {
    checkEvent(request);
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs >= 0)) throw new InvalidOption(`call: timeoutMs must be >= 0, got ${String(timeoutMs)}`);
    const target = this.resolve(to);
    if (!target || target.status !== ALIVE) return Promise.reject(new NoProc(String(to)));
    const ref = this.newRef();
    const caller = this.xstate.current;
    return new Promise<TReply>((resolve, reject) => {
      const port: CallPort = new CallPort(target.label, this.readyPort, (outcome) => {
        this.calls.delete(ref.id);
        target.monitoredBy = removeMonitor(target.monitoredBy, ref.id).set;
        if (timer !== undefined) this.clock.clearTimeout(timer);
        switch (outcome.kind) {
          case 'reply':
            resolve(outcome.value as TReply);
            break;
          case 'down':
            reject(
              outcome.reason === 'noproc'
                ? new NoProc(String(target.pid))
                : Object.assign(new CalleeExited(String(target.pid), formatReason(outcome.reason)), {
                    reason: outcome.reason,
                  }),
            );
            break;
          case 'timeout':
            reject(new CallTimeout(String(target.pid), timeoutMs));
            break;
        }
      });
      this.calls.set(ref.id, port);
      const monitor: Monitor = { ref, watcher: port, target, batch: false };
      target.monitoredBy = addMonitor(target.monitoredBy, monitor);
      let timer: TimerHandle | undefined;
      if (timeoutMs !== Infinity) {
        timer = this.clock.setTimeout(
          () => {
            timer = undefined;
            port.deliver(RUNTIME, { kind: 'timeout' });
          },
          timeoutMs,
          `call-timeout:${target.label}`,
        );
      }
      const from: From = { ref, caller: caller?.pid };
      const queued = this.enqueue(target, caller ?? EXTERNAL, { ...(request as AnyEvent), from }, false);
      if (!queued && target.spec.overflow === 'reject' && target.status === ALIVE) {
        port.settleNow();
        this.calls.delete(ref.id);
        target.monitoredBy = removeMonitor(target.monitoredBy, ref.id).set;
        if (timer !== undefined) this.clock.clearTimeout(timer);
        reject(new MailboxFull(String(target.pid), target.spec.capacity));
      }
    });
  }

  reply(from: From, value?: unknown): void {
    if (!from || !(from.ref instanceof Ref))
      throw new InvalidOption('reply: from must be the `from` of a call request');
    const port = this.calls.get(from.ref.id);
    if (!port) return; // the call already ended: a late reply is dropped, as in gen_server
    port.deliver(this.xstate.current ?? EXTERNAL, { kind: 'reply', value });
  }

  private readonly readyPort = (port: CallPort): void => this.dispatcher.ready(port);

  // ------------------------------------------------------------------ monitors

  monitor(watcher: Pid, target: Pid, options: MonitorOptions = {}): Ref {
    const w = this.procs.get(watcher.id);
    if (!w || w.status === DEAD || !samePid(w.pid, watcher)) return this.newRef(); // a dead watcher hears nothing
    const t = this.procs.get(target.id);
    const batch = options.batch ?? false;
    if (!t || t.status === DEAD || !samePid(t.pid, target)) {
      const deadTarget = { pid: target } as Process;
      const ref = new MonitorRef(this.node, ++this.nextRef, w, deadTarget, batch);
      this.deliverDown(w, ref, 'noproc');
      return ref;
    }
    const ref = new MonitorRef(this.node, ++this.nextRef, w, t, batch);
    const monitor: Monitor = ref;
    ref.monitor = monitor;
    (w.monitors ??= new Set()).add(monitor);
    t.monitoredBy = addMonitor(t.monitoredBy, monitor);
    if (this.inspecting) this.emit({ type: 'rt.monitor', ref, watcher: w.pid, target: t.pid });
    return ref;
  }

  /**
   * A supervisor's `reportDownsTo`: `watcher` hears of `child`'s death in its DOWN batches, as a
   * batched monitor would, with a ref made at the death (there is nothing to demonitor). The
   * supervisor calls it as it starts the child, which cannot have died yet. A dead watcher hears
   * nothing.
   */
  reportDowns(child: Pid, watcher: Pid): void {
    const w = this.procs.get(watcher.id);
    const c = this.procs.get(child.id);
    if (!w || w.status === DEAD || !samePid(w.pid, watcher) || !c || !samePid(c.pid, child)) return;
    c.reportsTo = w;
  }

  demonitor(ref: Ref, options: { readonly flush?: boolean } = {}): boolean {
    if (!(ref instanceof MonitorRef)) return false;
    const monitor = ref.monitor;
    let active = false;
    if (monitor) {
      ref.monitor = undefined;
      const removed = removeMonitor(monitor.target.monitoredBy, ref.id);
      monitor.target.monitoredBy = removed.set;
      active = removed.had;
      if (monitor.watcher instanceof Process) monitor.watcher.monitors?.delete(monitor);
    }
    if (options.flush) {
      // The monitor may have fired already (its DOWN queued, alone or in a batch): find the
      // watcher through the ref, not through the monitor record that the death cleared.
      const watcher = ref.flushWatcher;
      ref.flushWatcher = undefined;
      if (watcher) {
        watcher.mailbox?.removeWhere((m) => {
          if (m.type === 'rt.down') return m['ref'] === ref;
          if (m.type !== 'rt.down.batch' || !Array.isArray(m['downs'])) return false;
          // The batch was built by the kernel and is not delivered yet: take the entry out of it.
          const downs = m['downs'] as DownEntry[];
          const index = downs.findIndex((d) => d.ref === ref);
          if (index >= 0) downs.splice(index, 1);
          return downs.length === 0;
        });
        if (watcher.downBatch) watcher.downBatch = watcher.downBatch.filter((d) => d.ref !== ref);
      }
    }
    return active;
  }

  /** Delivers one DOWN to a process watcher: alone, or into its pending batch. */
  deliverDown(watcher: Process, monitor: Monitor, reason: DownReason): void {
    if (watcher.status !== ALIVE) return;
    const pid = monitor.target.pid;
    if (this.inspecting) this.emit({ type: 'rt.down', ref: monitor.ref, pid, watcher: watcher.pid, reason });
    if (monitor.batch) {
      (watcher.downBatch ??= []).push({ ref: monitor.ref, pid, reason });
      if (this.batchesAtTurnEnd) {
        this.batchDirty.add(watcher);
        this.dispatcher.wake();
      } else if (!watcher.queued) {
        this.dispatcher.ready(watcher);
      }
      return;
    }
    // A DOWN travels from the dead process, so it follows every message that process sent (Erlang's signal order).
    const sender: Sender = monitor.target instanceof Process ? monitor.target : RUNTIME;
    this.enqueue(watcher, sender, { type: 'rt.down', ref: monitor.ref, pid, reason }, true);
  }

  /** Moves up to `count` pending deaths of `watcher` into one `rt.down.batch` message. */
  private flushBatch(watcher: Process, count: number): number {
    const pending = watcher.downBatch;
    if (!pending || pending.length === 0 || count <= 0) return 0;
    const downs: DownEntry[] = pending.splice(0, count);
    if (pending.length === 0) watcher.downBatch = null;
    if (this.inspecting) this.emit({ type: 'rt.down.batch', watcher: watcher.pid, size: downs.length });
    this.enqueue(watcher, RUNTIME, { type: 'rt.down.batch', downs }, true);
    return downs.length;
  }

  /** DispatchHost: at the end of a live turn, every watcher's pending deaths go out in batches. */
  endTurn(): void {
    if (this.batchDirty.size === 0) return;
    const dirty = [...this.batchDirty];
    this.batchDirty.clear();
    for (const watcher of dirty) {
      while (watcher.downBatch && watcher.downBatch.length > 0) this.flushBatch(watcher, watcher.batchSize);
    }
  }

  // ------------------------------------------------------------------ links and exit signals

  link(a: Pid, b: Pid): void {
    const pa = this.alive(a);
    const pb = this.alive(b);
    if (!pa) throw new NoProc(String(a));
    if (!pb) throw new NoProc(String(b));
    this.addLink(pa, pb);
  }

  unlink(a: Pid, b: Pid): void {
    const pa = this.procs.get(a.id);
    const pb = this.procs.get(b.id);
    if (!pa || !pb) return;
    const removed = removeLink(pa.links, pb);
    pa.links = removed.links;
    pb.links = removeLink(pb.links, pa).links;
    const had = removed.had;
    if (had && this.inspecting) this.emit({ type: 'rt.unlink', a: pa.pid, b: pb.pid });
  }

  private addLink(a: Process, b: Process): void {
    if (a === b) return;
    a.links = addLink(a.links, b);
    b.links = addLink(b.links, a);
    if (this.inspecting) this.emit({ type: 'rt.link', a: a.pid, b: b.pid });
  }

  exit(pid: Dest, reason: ExitSignal): void {
    if (!isExitSignal(reason)) throw new InvalidOption(`exit: not an exit reason: ${String(reason)}`);
    const target = this.resolve(pid);
    if (!target) return;
    this.signal(target, this.xstate.current, reason, true);
  }

  /** Ends `pid` with `reason` whatever it traps (Erlang's `exit/1`, called by the process itself). */
  exitSelf(pid: Pid, reason: ExitReason): void {
    const proc = this.alive(pid);
    if (proc) this.scheduleExit(proc, reason);
  }

  suspend(pid: Pid): boolean {
    const proc = this.alive(pid);
    if (!proc || proc.suspended) return false;
    proc.suspended = true;
    return true;
  }

  resume(pid: Pid): boolean {
    const proc = this.procs.get(pid.id);
    if (!proc || !samePid(proc.pid, pid) || !proc.suspended) return false;
    proc.suspended = false;
    // What queued up meanwhile is runnable again.
    if (proc.hasWork() && !proc.queued) this.dispatcher.ready(proc);
    return true;
  }

  setTrapExit(pid: Pid, trap: boolean): void {
    const proc = this.alive(pid);
    if (proc) proc.trapExit = trap;
  }

  /**
   * Erlang's exit-signal rules. `direct` marks `exit/2` (only a direct `'kill'` is untrappable;
   * a linked process that was killed propagates `'killed'`, which can be trapped).
   */
  private signal(target: Process, from: Process | undefined, reason: ExitSignal, direct: boolean): void {
    if (target.status !== ALIVE) return;
    if (reason === 'kill' && direct) {
      this.scheduleExit(target, 'killed');
      return;
    }
    const exitReason: ExitReason = reason === 'kill' ? 'killed' : reason;
    if (target.trapExit) {
      this.enqueue(target, from ?? EXTERNAL, { type: 'rt.exit', from: from?.pid, reason: exitReason }, true);
      return;
    }
    if (exitReason === 'normal' && from !== target) return;
    this.scheduleExit(target, exitReason);
  }

  /** Marks a process as exiting; the dispatcher runs its termination as a unit of work. */
  scheduleExit(proc: Process, reason: ExitReason): void {
    if (proc.status !== ALIVE) return;
    proc.status = EXITING;
    proc.pendingExit = reason;
    if (!proc.queued) this.dispatcher.ready(proc);
  }

  /** Ends a process: stop its machine, free its name, signal links, deliver DOWNs. */
  private terminate(proc: Process): string {
    const reason = proc.pendingExit as ExitReason;
    proc.pendingExit = undefined;
    proc.status = DEAD;
    proc.exitReason = reason;
    this.xstate.stop(proc);
    this.xstate.cancelAllTimers(proc);
    proc.mailbox = null;
    proc.downBatch = null;
    this.batchDirty.delete(proc);
    this.procs.delete(proc.pid.id);
    if (proc.name !== undefined && this.names.get(proc.name) === proc) this.names.delete(proc.name);
    if (proc.monitors) {
      for (const m of proc.monitors.values())
        m.target.monitoredBy = removeMonitor(m.target.monitoredBy, m.ref.id).set;
      proc.monitors = null;
    }
    // The exit is reported before the signals and DOWNs it causes, so the stream reads causally.
    if (this.inspecting) this.emit({ type: 'rt.exit', pid: proc.pid, reason });
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ actor: String(proc.pid), reason: formatReason(reason) }, 'exit');
    }
    if (proc.links) {
      const links = linkedPeers(proc.links);
      proc.links = null;
      for (const other of links) {
        other.links = removeLink(other.links, proc).links;
        this.signal(other, proc, reason, false);
      }
    }
    if (proc.reportsTo) {
      const watcher = proc.reportsTo;
      proc.reportsTo = null;
      this.deliverDown(watcher, new MonitorRef(this.node, ++this.nextRef, watcher, proc, true), reason);
    }
    if (proc.monitoredBy) {
      const watchers = monitorsIn(proc.monitoredBy);
      proc.monitoredBy = null;
      for (const m of watchers.values()) {
        if (m.watcher instanceof Process) m.watcher.monitors?.delete(m);
        if (m instanceof MonitorRef) m.monitor = undefined;
        m.watcher.down(m, reason);
      }
    }
    if (this.procs.size === 0 && this.emptyWaiters.length > 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return `exit:${formatReason(reason)}`;
  }

  // ------------------------------------------------------------------ dispatch (ProcessHost)

  runSlice(proc: Process, budget: number): number {
    let ran = 0;
    while (ran < budget) {
      if (proc.pendingExit !== undefined) {
        this.terminate(proc);
        return ran + 1;
      }
      const mailbox = proc.mailbox;
      if (proc.status !== ALIVE || proc.suspended || mailbox === null || mailbox.length === 0) return ran;
      const event = mailbox.shift() as AnyEvent;
      if (mailbox.length === 0) this.releaseMailbox(proc, mailbox);
      this.deliver(proc, event);
      ran++;
    }
    return ran;
  }

  listWork(proc: Process, out: WorkItem[]): void {
    if (proc.pendingExit !== undefined) {
      out.push({ owner: proc, label: `exit:${proc.label}`, key: EXIT_WORK });
      return;
    }
    if (proc.status !== ALIVE || proc.suspended) return;
    if (!this.batchesAtTurnEnd && proc.downBatch && proc.downBatch.length > 0) {
      out.push({ owner: proc, label: `batch:${proc.label}`, key: BATCH_WORK });
    }
    if (proc.mailbox && proc.mailbox.length > 0) {
      for (const sender of proc.mailbox.senders()) {
        out.push({ owner: proc, label: `deliver:${sender.label}>${proc.label}`, key: sender });
      }
    }
  }

  runWork(proc: Process, item: WorkItem): string {
    if (item.key === EXIT_WORK) return this.terminate(proc);
    if (item.key === BATCH_WORK) {
      const pending = proc.downBatch?.length ?? 0;
      const count = this.dispatcher.chooseCount(`size:${proc.label}`, pending, proc.batchSize);
      return `batch:${this.flushBatch(proc, count)}`;
    }
    const mailbox = proc.mailbox;
    const event = mailbox?.takeFrom(item.key as Sender);
    if (event === undefined) return 'none';
    if (mailbox && mailbox.length === 0) this.releaseMailbox(proc, mailbox);
    this.deliver(proc, event);
    return event.type;
  }

  /**
   * An idle process keeps no mailbox (≈ 180 B with its ring, per connection): the next message
   * makes a new one. One that dropped messages keeps it, for its `dropped` count.
   */
  private releaseMailbox(proc: Process, mailbox: Mailbox<Sender, AnyEvent>): void {
    if (mailbox.dropped === 0) proc.mailbox = null;
  }

  /** Runs one event through the process's logic. */
  private deliver(proc: Process, event: AnyEvent): void {
    proc.handled++;
    const crash = this.xstate.transition(proc, event);
    if (crash) return this.scheduleExit(proc, crash);
    this.afterStep(proc);
    // Nothing more to handle: the process hibernates until its next message.
    if (proc.mailbox === null && proc.status === ALIVE) proc.hibernate();
  }

  /** After init or a transition: a finished or failed machine ends its process. */
  private afterStep(proc: Process): void {
    if (proc.status !== ALIVE) return;
    const snapshot = proc.peekSnapshot() as { status?: string; error?: unknown } | undefined;
    const status = snapshot?.status;
    if (status === 'done') this.scheduleExit(proc, 'normal');
    else if (status === 'error') this.scheduleExit(proc, { error: snapshot?.error });
  }

  // ------------------------------------------------------------------ names and introspection

  register(name: string, pid: Pid): void {
    this.checkName(name);
    const proc = this.alive(pid);
    if (!proc) throw new NoProc(String(pid));
    if (proc.name !== undefined)
      throw new InvalidOption(`register: ${String(pid)} is already registered as ${proc.name}`);
    this.names.set(name, proc);
    proc.name = name;
  }

  unregister(name: string): boolean {
    const proc = this.names.get(name);
    if (!proc) return false;
    this.names.delete(name);
    if (proc.name === name) proc.name = undefined;
    return true;
  }

  whereis(name: string): Pid | undefined {
    const proc = this.names.get(name);
    return proc && proc.status === ALIVE ? proc.pid : undefined;
  }

  isAlive(pid: Pid): boolean {
    return this.alive(pid) !== undefined;
  }

  processes(): Pid[] {
    const out: Pid[] = [];
    for (const proc of this.procs.values()) out.push(proc.pid);
    return out;
  }

  /** Number of processes not yet dead (cheaper than `processes().length`). */
  get processCount(): number {
    return this.procs.size;
  }

  processInfo(pid: Pid): ProcessInfo | undefined {
    const proc = this.procs.get(pid.id);
    if (!proc || !samePid(proc.pid, pid) || proc.status === DEAD) return undefined;
    const snapshot = proc.peekSnapshot() as { value?: unknown; status?: unknown } | undefined;
    const monitors: Pid[] = [];
    for (const m of proc.monitors?.values() ?? []) monitors.push(m.target.pid);
    const monitoredBy: Pid[] = proc.reportsTo ? [proc.reportsTo.pid] : [];
    for (const m of monitorsIn(proc.monitoredBy))
      if (m.watcher instanceof Process) monitoredBy.push(m.watcher.pid);
    return {
      pid: proc.pid,
      name: proc.name,
      status: proc.status === ALIVE ? 'running' : 'exiting',
      mailboxLength: proc.mailbox?.length ?? 0,
      dropped: proc.mailbox?.dropped ?? 0,
      links: linkedPeers(proc.links).map((p) => p.pid),
      monitors,
      monitoredBy,
      trapExit: proc.trapExit,
      state: snapshot?.value ?? snapshot?.status,
      parent: proc.parent?.pid,
      spawnedAt: this.epoch + proc.born,
      handled: proc.handled,
    };
  }

  /** The snapshot of a live process (an XState machine's carries its `machine` and `context`). */
  processSnapshot(pid: Pid): unknown {
    const proc = this.procs.get(pid.id);
    if (!proc || !samePid(proc.pid, pid) || proc.status === DEAD) return undefined;
    return proc.awake();
  }

  /** Emits a process's XState events even to `xstate: 'watched'` observers, until the returned function runs. */
  watch(pid: Pid): () => void {
    const proc = this.procs.get(pid.id);
    if (!proc || !samePid(proc.pid, pid) || proc.status === DEAD) return () => undefined;
    proc.watchers++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      proc.watchers--;
    };
  }

  /** The shell of a live process (for sibling modules of the runtime, never for users). */
  lookup(pid: Pid): Process | undefined {
    return this.alive(pid);
  }

  // ------------------------------------------------------------------ inspection

  inspect(observer: InspectionObserver, options: InspectOptions = {}): Subscription {
    const all = (options.xstate ?? 'all') === 'all';
    this.observers.add(observer);
    this.inspecting = true;
    if (all) this.xstateAll++;
    let subscribed = true;
    return {
      unsubscribe: () => {
        if (!subscribed) return;
        subscribed = false;
        this.observers.delete(observer);
        this.inspecting = this.observers.size > 0;
        if (all) this.xstateAll--;
      },
    };
  }

  /** Whether `proc`'s XState events go out: someone wants every process's, or `proc` is watched. */
  tracesXState(proc: Process | undefined): boolean {
    return this.xstateAll > 0 || (proc !== undefined && proc.watchers > 0);
  }

  emit(event: InspectionEvent): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch (err) {
        this.logger.error({ err }, 'inspection observer threw');
      }
    }
  }

  private emitEvent(sender: Sender, target: Process, event: AnyEvent): void {
    this.emit({
      type: '@xstate.event',
      rootId: target.sessionId,
      actorRef: target,
      sourceRef: sender instanceof Process ? sender : undefined,
      event,
    });
  }

  // ------------------------------------------------------------------ lifecycle

  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5000;
    this.stopped = true;
    const roots = [...this.procs.values()].filter((p) => !p.parent || p.parent.status === DEAD).reverse();
    for (const proc of roots) await this.stopProcess(proc, 'shutdown', timeoutMs);
    if (this.procs.size > 0) {
      // Anything left (a child whose supervisor died first): kill it.
      for (const proc of [...this.procs.values()]) this.signal(proc, undefined, 'kill', true);
      await new Promise<void>((resolve) => {
        if (this.procs.size === 0) resolve();
        else this.emptyWaiters.push(resolve);
      });
    }
  }

  /** Asks a process to exit with `reason`; kills it if it is still alive after `timeoutMs`. */
  stopProcess(proc: Process, reason: ExitReason, timeoutMs: number): Promise<void> {
    if (proc.status === DEAD) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      const ref = this.newRef();
      const watcher = new CallbackWatcher(() => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve();
      });
      proc.monitoredBy = addMonitor(proc.monitoredBy, { ref, watcher, target: proc, batch: false });
      this.signal(proc, undefined, reason, true);
      if (proc.status === ALIVE && timeoutMs !== Infinity) {
        timer = this.clock.setTimeout(
          () => this.signal(proc, undefined, 'kill', true),
          timeoutMs,
          `shutdown:${proc.label}`,
        );
      }
    });
  }

  // ------------------------------------------------------------------ helpers

  newRef(): Ref {
    return new Ref(this.node, ++this.nextRef);
  }

  /** The live shell for a pid or name, checking node and incarnation. */
  private alive(pid: Pid): Process | undefined {
    const proc = this.procs.get(pid.id);
    return proc && proc.status === ALIVE && samePid(proc.pid, pid) ? proc : undefined;
  }

  private resolve(to: Dest): Process | undefined {
    if (typeof to === 'string') return this.names.get(to);
    if (typeof to !== 'object' || to === null) return undefined;
    const proc = this.procs.get(to.id);
    return proc && samePid(proc.pid, to) ? proc : undefined;
  }

  private checkName(name: string): void {
    if (typeof name !== 'string' || name.length === 0)
      throw new InvalidOption('a process name must be a non-empty string');
    const holder = this.names.get(name);
    // A name is free as soon as its holder starts exiting, as `whereis` says (the exiting holder no longer owns it).
    if (holder && holder.status === ALIVE) throw new NameTaken(name);
  }
}

function samePid(a: Pid, b: Pid): boolean {
  return a.id === b.id && a.incarnation === b.incarnation && a.node === b.node;
}

function checkEvent(message: unknown): void {
  if (
    typeof message !== 'object' ||
    message === null ||
    typeof (message as { type?: unknown }).type !== 'string'
  ) {
    throw new InvalidOption('a message must be an object with a string `type`');
  }
}
