/**
 * @switchboard/runtime — processes on XState v5 with Erlang semantics: pids, bounded mailboxes,
 * send/call, monitors and DOWN (singly or batched), links and exit signals, supervisors, and
 * ports (Dispatcher, Clock, Entropy) with live and deterministic implementations.
 */
export { createRuntime } from './create-runtime.js';
export type { RuntimeOptions } from './create-runtime.js';
export type {
  AnyProcessLogic,
  CallOptions,
  CallRequest,
  Dest,
  DownBatchMessage,
  DownMessage,
  ExitMessage,
  From,
  MonitorOptions,
  ProcessInfo,
  Runtime,
  ShutdownOptions,
  SpawnOptions,
} from './runtime.js';
export { Pid, Ref, comparePids, isPid, pidEquals } from './pid.js';
export type { PidJSON } from './pid.js';
export { formatReason, isCrash, isExitSignal, isNormal, isOrderly, isShutdown } from './exit-reason.js';
export type { DownReason, ExitReason, ExitSignal } from './exit-reason.js';
export { Mailbox, UNBOUNDED, mailboxSpec } from './mailbox.js';
export type { MailboxOptions, MailboxSpec, OfferResult, OverflowPolicy } from './mailbox.js';
export { exitSelf, reply, replyTo, sendToPid } from './actions.js';
export type { ActionArgs } from './actions.js';
export { createSupervisor, supervisorHandle, supervisorLogic } from './supervisor.js';
export type { Supervisor, SupervisorSpawnOptions } from './supervisor.js';
export { MAX_RESTART_INTENSITY } from './supervisor-spec.js';
export type {
  ChildCounts,
  ChildInfo,
  ChildSpec,
  ChildTemplate,
  DynamicSupervisorOptions,
  Intensity,
  RestartPolicy,
  ShutdownPolicy,
  StaticSupervisorOptions,
  SupervisorOptions,
} from './supervisor-spec.js';
export { createPool } from './pool.js';
export type { Pool, PoolOptions } from './pool.js';
export { PMon } from './pmon.js';
export type { PMonOptions } from './pmon.js';
export { Table, canonicalString } from './table.js';
export type { TableOptions, TableType } from './table.js';
export { TraceCollector, Tracer } from './tracing.js';
export type { CollectOptions, TracePoint } from './tracing.js';
export type {
  InspectOptions,
  InspectionEvent,
  InspectionObserver,
  ProcessRef,
  RuntimeInspectionEvent,
  Subscription,
  XStateInspectionEvent,
} from './inspection.js';
export type { Clock, TimerHandle } from './ports/clock.js';
export type { DispatchHost, Dispatcher, Schedulable, WorkItem } from './ports/dispatcher.js';
export type { Entropy } from './ports/entropy.js';
export { jitter } from './ports/entropy.js';
export { createLiveClock } from './ports/live-clock.js';
export { createLiveDispatcher } from './ports/live-dispatcher.js';
export type { LiveDispatcherOptions } from './ports/live-dispatcher.js';
export { createLiveEntropy } from './ports/live-entropy.js';
export {
  DeterministicScheduler,
  createDeterministicScheduler,
  fifoStrategy,
  uniformStrategy,
} from './ports/deterministic-scheduler.js';
export type { DeterministicSchedulerOptions, Strategy } from './ports/deterministic-scheduler.js';
export { createSeededEntropy } from './ports/deterministic-entropy.js';
export {
  CallTimeout,
  CalleeExited,
  ChildExists,
  InvalidOption,
  MailboxFull,
  MailboxOverflow,
  MaxChildren,
  NameTaken,
  NoProc,
  NondeterminismDetected,
  PoolClosed,
  ReplayDiverged,
  RuntimeStopped,
  StepLimit,
  UnknownChild,
  defineError,
  isSwitchboardError,
} from './errors.js';
export type { DefinedError, SwitchboardError } from './errors.js';
