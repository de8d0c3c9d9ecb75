/**
 * XState actions that talk to the runtime from inside a process's machine: answer a call,
 * send to another process through the dispatcher, end the process with a chosen reason.
 * Use them like any XState action: `actions: reply(({ context }) => context.count)`.
 */
import { InvalidOption } from './errors.js';
import type { ExitReason } from './exit-reason.js';
import { kernelOf } from './internal/xstate-scope.js';
import type { Pid } from './pid.js';
import type { Dest, From } from './runtime.js';

/** The arguments XState passes to an action (the fields these actions use). */
export interface ActionArgs<TContext = unknown, TEvent = unknown> {
  readonly context: TContext;
  readonly event: TEvent;
  readonly system: unknown;
  readonly self: unknown;
}

// The type parameters default to `any` on purpose: XState types an action's arguments from the
// machine it is used in, which these factories cannot see; users narrow them where they care.
/* eslint-disable @typescript-eslint/no-explicit-any */

type Value<T, TContext, TEvent> = T | ((args: ActionArgs<TContext, TEvent>) => T);

/**
 * A reply: a constant, or a function of the action's arguments. Not `Value<unknown, …>`: that
 * union collapses to `unknown`, so a callback would get no contextual type (its `context` and
 * `event` would be implicitly `any`).
 */
type ReplyValue<TContext, TEvent> =
  | ((args: ActionArgs<TContext, TEvent>) => unknown)
  | string
  | number
  | bigint
  | boolean
  | symbol
  | null
  | object;

function resolve<T, TContext, TEvent>(
  value: Value<T, TContext, TEvent>,
  args: ActionArgs<TContext, TEvent>,
): T {
  return typeof value === 'function' ? (value as (a: ActionArgs<TContext, TEvent>) => T)(args) : value;
}

/**
 * Answers the call whose request is the current event (its `from` field).
 *
 * @example
 * ```ts
 * on: { 'counter.get': { actions: reply(({ context }) => context.count) } }
 * ```
 */
export function reply<TContext = any, TEvent = any>(value?: ReplyValue<TContext, TEvent>) {
  return (args: ActionArgs<TContext, TEvent>): void => {
    const from = (args.event as { from?: From } | undefined)?.from;
    if (!from) throw new InvalidOption('reply: the current event is not a call request (no `from`)');
    kernelOf(args.system).reply(from, value === undefined ? undefined : resolve(value, args));
  };
}

/**
 * Answers a call identified by an explicit `from` (for replies given later than the request).
 *
 * @example
 * ```ts
 * actions: replyTo(({ context }) => context.pendingFrom, () => 'done')
 * ```
 */
export function replyTo<TContext = any, TEvent = any>(
  from: Value<From, TContext, TEvent>,
  value?: ReplyValue<TContext, TEvent>,
) {
  return (args: ActionArgs<TContext, TEvent>): void => {
    kernelOf(args.system).reply(resolve(from, args), value === undefined ? undefined : resolve(value, args));
  };
}

/**
 * Sends an event to another process (by pid or registered name) through the dispatcher.
 *
 * @example
 * ```ts
 * actions: sendToPid(({ context }) => context.peer, { type: 'ping' })
 * ```
 */
export function sendToPid<TContext = any, TEvent = any>(
  to: Value<Dest, TContext, TEvent>,
  event: Value<{ readonly type: string }, TContext, TEvent>,
) {
  return (args: ActionArgs<TContext, TEvent>): void => {
    kernelOf(args.system).send(resolve(to, args), resolve(event, args));
  };
}

/**
 * Ends the current process with `reason` once the current transition completes
 * (Erlang's `exit/1`): `exitSelf({ shutdown: 'takenover' })`.
 *
 * @example
 * ```ts
 * on: { 'conn.kick': { actions: exitSelf({ shutdown: 'kicked' }) } }
 * ```
 */
export function exitSelf<TContext = any, TEvent = any>(reason: Value<ExitReason, TContext, TEvent>) {
  return (args: ActionArgs<TContext, TEvent>): void => {
    const self = args.self as { pid?: Pid } | undefined;
    if (!self?.pid) throw new InvalidOption('exitSelf: only works inside a Switchboard process');
    kernelOf(args.system).exitSelf(self.pid, resolve(reason, args));
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
