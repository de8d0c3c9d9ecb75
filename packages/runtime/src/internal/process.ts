/**
 * The process shell: what the runtime keeps per process. It holds the pid, the XState snapshot
 * (never an XState Actor: ~0.6 KB instead of ~3.9 KB), a lazily created mailbox, links, monitors,
 * timers and the exit state. It doubles as the `self` ref XState sees, so running a machine needs
 * no extra object. All behaviour lives in the kernel; this file is data plus delegation.
 */
import type { ExitReason, DownReason } from '../exit-reason.js';
import { UNBOUNDED } from '../mailbox.js';
import type { Mailbox, MailboxSpec } from '../mailbox.js';
import type { Pid, Ref } from '../pid.js';
import type { TimerHandle } from '../ports/clock.js';
import type { Schedulable, WorkItem } from '../ports/dispatcher.js';
import type { LinkSet } from './link-set.js';
import type { MonitorSet } from './monitor-set.js';
import { HibernatedSnapshot, hibernatable, wake } from './snapshot-hibernation.js';
import type { ActiveNodes } from './snapshot-hibernation.js';

/** Anything that can be the sender of a message: a process, a call port, or a pseudo-sender. */
export interface Sender {
  readonly label: string;
}

/** Messages sent from code running outside any process. */
export const EXTERNAL: Sender = Object.freeze({ label: 'ext' });
/** Messages the runtime itself sends: timers and batched DOWNs. */
export const RUNTIME: Sender = Object.freeze({ label: 'rt' });

/** Process lifecycle. */
export const ALIVE = 0;
export const EXITING = 1;
export const DEAD = 2;
/** The bits of a process's `#state` besides its status. */
const STATUS = 3;
const QUEUED = 4;
const TRAP_EXIT = 8;

/** An event as processes receive it. */
export interface AnyEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** One entry of an `rt.down.batch` event. */
export interface DownEntry {
  readonly ref: Ref;
  readonly pid: Pid;
  readonly reason: DownReason;
}

/** Who is told when a monitored process dies. */
export interface Watcher extends Sender {
  /** Delivers the DOWN; `target` is the dead process. */
  down(monitor: Monitor, reason: DownReason): void;
}

/** One monitor: both ends point at the same record, so either side can remove it. */
export interface Monitor {
  readonly ref: Ref;
  readonly watcher: Watcher;
  readonly target: Process;
  readonly batch: boolean;
}

/** The operations of the kernel a process delegates to. */
export interface ProcessHost {
  readonly system: unknown;
  /** The DOWN batch size of a process spawned without its own. */
  readonly batchSize: number;
  readonly batchesAtTurnEnd: boolean;
  sendFromCurrent(target: Process, event: AnyEvent): void;
  runSlice(proc: Process, budget: number): number;
  listWork(proc: Process, out: WorkItem[]): void;
  runWork(proc: Process, item: WorkItem): string;
  deliverDown(watcher: Process, monitor: Monitor, reason: DownReason): void;
}

/**
 * The fields most processes never set: a watcher's monitors and DOWN batch, a registered name,
 * the exit state, suspension, inspector watches, and a DOWN batch size or mailbox bounds other
 * than the runtime's. One object, made on the first write of a value other than the default, where
 * nine fields on every process took ≈ 64 B more (a connection process sets none).
 */
class RareFields {
  monitors: Set<Monitor> | null = null;
  downBatch: DownEntry[] | null = null;
  pendingExit: ExitReason | undefined = undefined;
  exitReason: ExitReason | undefined = undefined;
  name: string | undefined = undefined;
  suspended = false;
  watchers = 0;
  batchSize: number | undefined = undefined;
  spec: MailboxSpec | undefined = undefined;
}

/** A process shell. */
export class Process implements Schedulable, Watcher {
  /** The status (low two bits), QUEUED and TRAP_EXIT: one small integer for three fields (16 B less). */
  #state: number = ALIVE;
  /** The XState snapshot (or any logic's state); only the context while hibernated. */
  #snapshot: unknown = undefined;
  /**
   * While hibernated, the shared active state nodes (see snapshot-hibernation.ts): the process keeps
   * them and the context in its own two fields, where a snapshot object of 144 B (or a hibernated
   * one of 40 B) stood.
   */
  #nodes: ActiveNodes | null = null;
  /** Null while empty (made on the first message, dropped when drained; see Kernel.releaseMailbox). */
  mailbox: Mailbox<Sender, AnyEvent> | null = null;
  /** Linked processes: none, the one peer, or a set (see link-set.ts). */
  links: LinkSet<Process> = null;
  /** Monitors on this process (see monitor-set.ts). */
  monitoredBy: MonitorSet = null;
  /**
   * The process its supervisor's `reportDownsTo` names: told of this one's death in a DOWN batch,
   * as a monitor would, without a monitor record on both sides (≈ 160 B per connection).
   */
  reportsTo: Process | null = null;
  /** Messages handled since spawn (an inspector derives events per second from it). */
  handled = 0;
  /**
   * XState delayed events of this process, by schedule id. Not a rare field: `after` is common in
   * machines, and a process that sets any rare field pays for the whole object (≈ 100 B).
   */
  timers: Map<string, TimerHandle> | null = null;
  /** See {@link RareFields}: read and written through the accessors below. */
  #rare: RareFields | null = null;

  constructor(
    readonly host: ProcessHost,
    readonly pid: Pid,
    readonly logic: ProcessLogic,
    spec: MailboxSpec,
    trapExit: boolean,
    readonly parent: Process | undefined,
    /** Whole ms from the kernel's start to the spawn: a small integer, not a boxed number per process. */
    readonly born: number,
    batchSize: number,
  ) {
    if (trapExit) this.#state |= TRAP_EXIT;
    if (batchSize !== host.batchSize) this.#fields().batchSize = batchSize;
    if (spec !== UNBOUNDED) this.#fields().spec = spec;
  }

  /** Its mailbox's bounds (unbounded unless spawned with others). */
  get spec(): MailboxSpec {
    return this.#rare?.spec ?? UNBOUNDED;
  }

  get status(): typeof ALIVE | typeof EXITING | typeof DEAD {
    return (this.#state & STATUS) as typeof ALIVE | typeof EXITING | typeof DEAD;
  }
  set status(value: typeof ALIVE | typeof EXITING | typeof DEAD) {
    this.#state = (this.#state & ~STATUS) | value;
  }

  /** Whether the dispatcher holds this process in its run queue. */
  get queued(): boolean {
    return (this.#state & QUEUED) !== 0;
  }
  set queued(value: boolean) {
    this.#state = value ? this.#state | QUEUED : this.#state & ~QUEUED;
  }

  /** Exit signals arrive as `rt.exit` messages instead of killing it. */
  get trapExit(): boolean {
    return (this.#state & TRAP_EXIT) !== 0;
  }
  set trapExit(value: boolean) {
    this.#state = value ? this.#state | TRAP_EXIT : this.#state & ~TRAP_EXIT;
  }

  /** The rare fields, made now if they were not yet. */
  #fields(): RareFields {
    return (this.#rare ??= new RareFields());
  }

  /**
   * Monitors this process holds (a `Set`: its entries are two words where a `Map` by ref id took
   * three; each monitor is found through its ref).
   */
  get monitors(): Set<Monitor> | null {
    return this.#rare === null ? null : this.#rare.monitors;
  }
  set monitors(value: Set<Monitor> | null) {
    if (value !== null || this.#rare !== null) this.#fields().monitors = value;
  }

  /** Deaths waiting to be delivered as one `rt.down.batch`. */
  get downBatch(): DownEntry[] | null {
    return this.#rare === null ? null : this.#rare.downBatch;
  }
  set downBatch(value: DownEntry[] | null) {
    if (value !== null || this.#rare !== null) this.#fields().downBatch = value;
  }

  get pendingExit(): ExitReason | undefined {
    return this.#rare?.pendingExit;
  }
  set pendingExit(value: ExitReason | undefined) {
    if (value !== undefined || this.#rare !== null) this.#fields().pendingExit = value;
  }

  get exitReason(): ExitReason | undefined {
    return this.#rare?.exitReason;
  }
  set exitReason(value: ExitReason | undefined) {
    if (value !== undefined || this.#rare !== null) this.#fields().exitReason = value;
  }

  get name(): string | undefined {
    return this.#rare?.name;
  }
  set name(value: string | undefined) {
    if (value !== undefined || this.#rare !== null) this.#fields().name = value;
  }

  /** Suspended (`rt.suspend`): alive, its mailbox fills, but nothing is handled until `rt.resume`. */
  get suspended(): boolean {
    return this.#rare !== null && this.#rare.suspended;
  }
  set suspended(value: boolean) {
    if (value || this.#rare !== null) this.#fields().suspended = value;
  }

  /** How many `runtime.watch` calls hold this process: its XState events are emitted for them. */
  get watchers(): number {
    return this.#rare === null ? 0 : this.#rare.watchers;
  }
  set watchers(value: number) {
    if (value !== 0 || this.#rare !== null) this.#fields().watchers = value;
  }

  /** Most deaths one DOWN batch of this watcher drains (the runtime's unless spawned with another). */
  get batchSize(): number {
    return this.#rare?.batchSize ?? this.host.batchSize;
  }

  /** Stable label for decisions and logs: the registered name, else the pid's id. */
  get label(): string {
    return this.name ?? String(this.pid.id);
  }

  // --- The XState ActorRef surface (what machine logic and child actors read from `self`).

  get sessionId(): string {
    return String(this.pid);
  }

  get id(): string {
    return this.label;
  }

  get system(): unknown {
    return this.host.system;
  }

  get _processingStatus(): number {
    return this.status === ALIVE ? 1 : 2;
  }

  getSnapshot(): unknown {
    return this.awake();
  }

  /** The XState snapshot (or any logic's state), woken first if the process hibernated. */
  get snapshot(): unknown {
    return this.awake();
  }
  set snapshot(value: unknown) {
    this.#snapshot = value;
    this.#nodes = null;
  }

  /** The snapshot, woken first if the process hibernated (see snapshot-hibernation.ts). */
  awake(): unknown {
    const nodes = this.#nodes;
    if (nodes !== null) {
      this.#snapshot = wake(this.#snapshot, nodes);
      this.#nodes = null;
    }
    return this.#snapshot;
  }

  /** The snapshot as it stands, for reads that must not wake it: a view of a hibernated one. */
  peekSnapshot(): unknown {
    return this.#nodes === null ? this.#snapshot : new HibernatedSnapshot(this.#snapshot, this.#nodes);
  }

  /** Puts the snapshot away to its context and shared active nodes, if it has nothing else of its own. */
  hibernate(): void {
    if (this.#nodes !== null) return;
    const nodes = hibernatable(this.#snapshot);
    if (nodes === undefined) return;
    this.#snapshot = (this.#snapshot as { context: unknown }).context;
    this.#nodes = nodes;
  }

  send(event: AnyEvent): void {
    this.host.sendFromCurrent(this, event);
  }

  _send(event: AnyEvent): void {
    this.host.sendFromCurrent(this, event);
  }

  toJSON(): unknown {
    return { xstate$$type: 1, id: this.label, pid: this.pid.toJSON() };
  }

  // --- Schedulable

  hasWork(): boolean {
    if (this.pendingExit !== undefined) return true;
    if (this.status === DEAD || this.suspended) return false;
    if (this.mailbox !== null && this.mailbox.length > 0) return true;
    return !this.host.batchesAtTurnEnd && this.downBatch !== null && this.downBatch.length > 0;
  }

  runSlice(budget: number): number {
    return this.host.runSlice(this, budget);
  }

  listWork(out: WorkItem[]): void {
    this.host.listWork(this, out);
  }

  runWork(item: WorkItem): string {
    return this.host.runWork(this, item);
  }

  // --- Watcher

  down(monitor: Monitor, reason: DownReason): void {
    this.host.deliverDown(this, monitor, reason);
  }
}

/**
 * The logic a process runs: XState's ActorLogic interface (a machine, `fromTransition`,
 * `fromCallback`, … or a hand-written logic with the same shape).
 */
export interface ProcessLogic {
  transition(snapshot: unknown, event: AnyEvent, scope: unknown): unknown;
  getInitialSnapshot(scope: unknown, input: unknown): unknown;
  start?(snapshot: unknown, scope: unknown): void;
  getPersistedSnapshot?(snapshot: unknown, options?: unknown): unknown;
}
