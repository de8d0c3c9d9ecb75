/**
 * Supervisors: processes that start children, watch them through links (trapping exits), and
 * restart them by strategy — one_for_one, one_for_all, rest_for_one, or `dynamic` for many
 * identical children (connections) — within a restart intensity. Children start in order and
 * stop in reverse order, each within its shutdown time. This file is the client API; specs are
 * in `supervisor-spec.ts`, the behaviour in `internal/supervisor-logic.ts`.
 */
import { CallFailure, SupervisorLogic } from './internal/supervisor-logic.js';
import type { Pid } from './pid.js';
import type { AnyProcessLogic, Runtime } from './runtime.js';
import { validateSupervisorOptions } from './supervisor-spec.js';
import type { ChildCounts, ChildInfo, SupervisorOptions } from './supervisor-spec.js';

/** The client side of a running supervisor. Every method is a `call` to the supervisor process. */
export interface Supervisor {
  readonly pid: Pid;
  /** Static: starts a new child from a spec. Dynamic: starts a child from the template with this input. */
  startChild(specOrInput?: unknown): Promise<Pid>;
  /** Stops a child (by id or pid) within its shutdown policy; a static spec stays, to be restarted later. */
  terminateChild(child: string | Pid): Promise<void>;
  /** Restarts a terminated static child by id. */
  restartChild(id: string): Promise<Pid>;
  /** Removes a terminated static child's spec. */
  deleteChild(id: string): Promise<void>;
  whichChildren(): Promise<ChildInfo[]>;
  countChildren(): Promise<ChildCounts>;
  /** Stops the supervisor: children in reverse order, then itself. */
  stop(): Promise<void>;
}

/** Options for spawning the supervisor process itself. */
export interface SupervisorSpawnOptions {
  readonly name?: string;
  readonly parent?: Pid;
  readonly link?: Pid;
}

/**
 * The supervisor as actor logic, for nesting it as a child of another supervisor
 * (`{ id: 'conns', logic: supervisorLogic({...}), type: 'supervisor' }`).
 *
 * @throws {TypeError} RT_ERR_INVALID_OPTION for an unknown strategy, duplicate child ids or a bad intensity.
 */
export function supervisorLogic(options: SupervisorOptions): AnyProcessLogic {
  return new SupervisorLogic(validateSupervisorOptions(options));
}

/**
 * Spawns a supervisor and starts its children in order.
 *
 * @example
 * ```ts
 * const sup = createSupervisor(rt, {
 *   strategy: 'one_for_one',
 *   children: [{ id: 'db', logic: dbMachine }, { id: 'cache', logic: cacheMachine, restart: 'transient' }],
 * });
 * const conns = createSupervisor(rt, { strategy: 'dynamic', child: { logic: connMachine, restart: 'temporary' } });
 * const pid = await conns.startChild({ socketId: 1 });
 * ```
 * @throws {TypeError} RT_ERR_INVALID_OPTION for a bad spec.
 */
export function createSupervisor(
  runtime: Runtime,
  options: SupervisorOptions,
  spawnOptions: SupervisorSpawnOptions = {},
): Supervisor {
  const pid = runtime.spawn(supervisorLogic(options), { ...spawnOptions, trapExit: true });
  return supervisorHandle(runtime, pid);
}

/** A client handle for a supervisor process that already runs (e.g. a nested one). */
export function supervisorHandle(runtime: Runtime, pid: Pid): Supervisor {
  // A supervisor answers a failed request with a CallFailure; the handle rethrows its error.
  const call = async <T>(request: { type: string; [key: string]: unknown }): Promise<T> => {
    const value = await runtime.call<T | CallFailure>(pid, request, { timeoutMs: Infinity });
    if (value instanceof CallFailure) throw value.error;
    return value;
  };
  return {
    pid,
    startChild: (specOrInput) => call<Pid>({ type: 'sup.start_child', arg: specOrInput }),
    terminateChild: (child) => call<void>({ type: 'sup.terminate_child', child }),
    restartChild: (id) => call<Pid>({ type: 'sup.restart_child', id }),
    deleteChild: (id) => call<void>({ type: 'sup.delete_child', id }),
    whichChildren: () => call<ChildInfo[]>({ type: 'sup.which_children' }),
    countChildren: () => call<ChildCounts>({ type: 'sup.count_children' }),
    stop: () => call<void>({ type: 'sup.stop' }),
  };
}
