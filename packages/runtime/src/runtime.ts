/**
 * The public face of a runtime: the operations a process system offers (Erlang's BIFs, in
 * TypeScript). `createRuntime` returns one; everything else in the package builds on it.
 */
import type { Logger } from 'pino';
import type { DownReason, ExitReason, ExitSignal } from './exit-reason.js';
import type { InspectOptions, InspectionObserver, Subscription } from './inspection.js';
import type { MailboxOptions } from './mailbox.js';
import type { Pid, Ref } from './pid.js';
import type { Clock } from './ports/clock.js';
import type { Dispatcher } from './ports/dispatcher.js';
import type { Entropy } from './ports/entropy.js';
import type { Tracer } from './tracing.js';

/**
 * XState actor logic (a machine, `fromTransition`, `fromCallback`, …) a process can run.
 *
 * The parameters are `any`, not `never`: a logic written inline (`rt.spawn(createMachine({ on:
 * { go: … } }))`) takes this type as its contextual type, and `never` there would make XState
 * infer `never` as the machine's event type, so that no `on` key type-checks.
 */
export interface AnyProcessLogic {
  /* eslint-disable @typescript-eslint/no-explicit-any -- see above: `any` keeps inference open */
  transition(snapshot: any, event: any, scope: any): unknown;
  getInitialSnapshot(scope: any, input: any): unknown;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** Where a message goes: a pid, or a registered name. */
export type Dest = Pid | string;

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Input for the logic (XState's `input`). */
  readonly input?: unknown;
  /** Registers the process under this name. @throws RT_ERR_NAME_TAKEN */
  readonly name?: string;
  /** Bounds the mailbox. Default: unbounded. */
  readonly mailbox?: MailboxOptions;
  /** Receive exit signals as `rt.exit` messages instead of dying. Default false. */
  readonly trapExit?: boolean;
  /** Link to this pid at birth (atomically: no window where the child runs unlinked). */
  readonly link?: Pid;
  /** The supervisor that owns the process (for the supervision tree and ordered shutdown). */
  readonly parent?: Pid;
  /** Most deaths one `rt.down.batch` event carries for batched monitors this process holds. Default: the runtime's `batchSize`. */
  readonly batchSize?: number;
}

/** Identifies a pending `call` in the request the callee receives; pass it to `reply`. */
export interface From {
  readonly ref: Ref;
  /** The calling process, when the call was made from inside one. */
  readonly caller: Pid | undefined;
}

/** The event a callee receives for `call(pid, request)`: the request plus `from`. */
export type CallRequest<TRequest extends { type: string }> = TRequest & { readonly from: From };

/** Options of `call`. */
export interface CallOptions {
  /** Reject with `RT_ERR_CALL_TIMEOUT` after this long. Default 5000; `Infinity` waits forever. */
  readonly timeoutMs?: number;
}

/** Options of `monitor`. */
export interface MonitorOptions {
  /** Deliver this DOWN inside an `rt.down.batch` event (up to the watcher's `batchSize` per event) instead of alone. */
  readonly batch?: boolean;
}

/** `{ type: 'rt.down' }`: a monitored process died. Exactly one per monitor. */
export interface DownMessage {
  readonly type: 'rt.down';
  readonly ref: Ref;
  readonly pid: Pid;
  readonly reason: DownReason;
}

/** `{ type: 'rt.down.batch' }`: every batched death drained in one dispatcher turn, at most `batchSize`. */
export interface DownBatchMessage {
  readonly type: 'rt.down.batch';
  readonly downs: readonly { readonly ref: Ref; readonly pid: Pid; readonly reason: DownReason }[];
}

/** `{ type: 'rt.exit' }`: an exit signal, received as a message because the process traps exits. */
export interface ExitMessage {
  readonly type: 'rt.exit';
  readonly from: Pid | undefined;
  readonly reason: ExitReason;
}

/** What `processInfo` reports. */
export interface ProcessInfo {
  readonly pid: Pid;
  readonly name: string | undefined;
  readonly status: 'running' | 'exiting';
  readonly mailboxLength: number;
  readonly dropped: number;
  readonly links: readonly Pid[];
  readonly monitors: readonly Pid[];
  readonly monitoredBy: readonly Pid[];
  readonly trapExit: boolean;
  /** The machine's state value (or the logic's status). */
  readonly state: unknown;
  readonly parent: Pid | undefined;
  /** Clock time of the spawn, to the millisecond (whole ms after the runtime started). */
  readonly spawnedAt: number;
  /** Messages handled since the spawn (sample it twice for a rate). */
  readonly handled: number;
}

/** Options of `shutdown`. */
export interface ShutdownOptions {
  /** How long each top-level process gets to stop before it is killed. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** A process system. See `createRuntime`. */
export interface Runtime {
  /** This runtime's node name (part of every pid). */
  readonly node: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly entropy: Entropy;
  readonly dispatcher: Dispatcher;
  /** Trace points: `runtime.trace.tp(kind, fields)`, `runtime.trace.collect()`. */
  readonly trace: Tracer;
  /** Default most deaths per `rt.down.batch`. */
  readonly batchSize: number;

  /** Starts a process running `logic`. @throws RT_ERR_NAME_TAKEN, RT_ERR_INVALID_OPTION, RT_ERR_RUNTIME_STOPPED, RT_ERR_NOPROC (dead `link`) */
  spawn(logic: AnyProcessLogic, options?: SpawnOptions): Pid;
  /** Enqueues `message`; true if it was queued. Never throws for a dead or unknown pid. */
  send<TMessage extends { readonly type: string }>(to: Dest, message: TMessage): boolean;
  /** Sends `request` with a `from` field and resolves with the callee's `reply`. Rejects with RT_ERR_NOPROC, RT_ERR_CALL_TIMEOUT, RT_ERR_CALLEE_EXITED or RT_ERR_MAILBOX_FULL. */
  call<TReply = unknown, TRequest extends { readonly type: string } = { readonly type: string }>(
    to: Dest,
    request: TRequest,
    options?: CallOptions,
  ): Promise<TReply>;
  /** Answers a call. A reply to a call that already ended (timed out) is dropped. */
  reply(from: From, value?: unknown): void;
  /** Monitors `target` on behalf of `watcher`: exactly one DOWN follows (`noproc` at once for a dead target). */
  monitor(watcher: Pid, target: Pid, options?: MonitorOptions): Ref;
  /** Removes a monitor; with `flush`, also drops its DOWN if already queued. True if the monitor was active. */
  demonitor(ref: Ref, options?: { readonly flush?: boolean }): boolean;
  /** Links two processes. @throws RT_ERR_NOPROC when either is dead */
  link(a: Pid, b: Pid): void;
  /** Removes a link; unknown links are ignored. */
  unlink(a: Pid, b: Pid): void;
  /** Sends an exit signal (Erlang's `exit/2`). `'kill'` cannot be trapped and ends in `'killed'`. */
  exit(pid: Dest, reason: ExitSignal): void;
  /**
   * Suspends a process (Erlang's `erlang:suspend_process/1`): it stays alive and monitored, its
   * mailbox keeps filling, but it handles nothing — a hung process, as a race test injects one.
   * Exit signals still end it (`'kill'` always does). True if it was alive and not suspended.
   */
  suspend(pid: Pid): boolean;
  /** Lets a suspended process handle its mailbox again. True if it was suspended. */
  resume(pid: Pid): boolean;
  /** Changes whether a process traps exits. */
  setTrapExit(pid: Pid, trap: boolean): void;
  /** @throws RT_ERR_NAME_TAKEN, RT_ERR_NOPROC, RT_ERR_INVALID_OPTION */
  register(name: string, pid: Pid): void;
  /** Frees a name; true if it was registered. */
  unregister(name: string): boolean;
  whereis(name: string): Pid | undefined;
  /** True until the process starts exiting. */
  isAlive(pid: Pid): boolean;
  /** Pids of every process not yet dead. */
  processes(): Pid[];
  /** How many processes are not yet dead (without building `processes()`). */
  readonly processCount: number;
  processInfo(pid: Pid): ProcessInfo | undefined;
  /** Subscribes to the inspection stream (costs nothing while no one subscribes). */
  inspect(observer: InspectionObserver, options?: InspectOptions): Subscription;
  /**
   * Marks a live process as watched: its XState events are emitted for `xstate: 'watched'`
   * observers (see `InspectOptions`). Returns the function that unwatches (idempotent); watches
   * count, so two watchers need two unwatches. A dead pid is ignored.
   */
  watch(pid: Pid): () => void;
  /** The logic's current snapshot of a live process (an XState machine's has `value`, `context`, `machine`). */
  processSnapshot(pid: Pid): unknown;
  /** Resolves when the dispatcher has no work. */
  idle(): Promise<void>;
  /** Stops every process (supervisors stop their children in reverse order) and resolves when all are gone. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}
