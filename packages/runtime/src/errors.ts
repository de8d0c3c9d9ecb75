/**
 * The runtime's error registry: every error the runtime raises has a stable `RT_ERR_*` code,
 * is documented in `docs/reference/errors.md`, and is recognised across duplicate installs by
 * its static `is()` guard (a brand, not `instanceof`).
 */

const BRAND = Symbol.for('switchboard.error');

/** The shape every Switchboard error shares. */
export interface SwitchboardError extends Error {
  readonly code: string;
}

type ErrorBase = ErrorConstructor;

/** A class produced by {@link defineError}. */
export interface DefinedError<TCode extends string, TArgs extends unknown[]> {
  new (...args: [...TArgs, options?: ErrorOptions]): SwitchboardError & { readonly code: TCode };
  readonly code: TCode;
  /** True for any error carrying this code, whichever copy of the package created it. */
  is(value: unknown): value is SwitchboardError & { readonly code: TCode };
}

/**
 * Defines one error class with a stable code. Packages build their registries from it.
 *
 * @example
 * ```ts
 * const MailboxFull = defineError('RT_ERR_MAILBOX_FULL', RangeError, (cap: number) => `mailbox holds ${cap}`);
 * const err = new MailboxFull(10);
 * MailboxFull.is(err); // true
 * ```
 */
export function defineError<TCode extends string, TArgs extends unknown[]>(
  code: TCode,
  Base: ErrorBase,
  message: (...args: TArgs) => string,
): DefinedError<TCode, TArgs> {
  const argCount = message.length;
  class Defined extends Base {
    static readonly code = code;
    readonly code = code;
    constructor(...args: unknown[]) {
      const maybeOptions = args.length > argCount ? args[argCount] : undefined;
      super(message(...(args.slice(0, argCount) as TArgs)), maybeOptions as ErrorOptions | undefined);
      this.name = `${Base.name} [${code}]`;
      Object.defineProperty(this, BRAND, { value: code });
    }
    static is(value: unknown): boolean {
      return isSwitchboardError(value) && value.code === code;
    }
  }
  return Defined as unknown as DefinedError<TCode, TArgs>;
}

/** True for any error created by a Switchboard registry. */
export function isSwitchboardError(value: unknown): value is SwitchboardError {
  return typeof value === 'object' && value !== null && BRAND in value;
}

// --- The runtime's codes. Never reuse a code; add new ones at the end.

/** A call or link targeted a process that does not exist (or no longer does). */
export const NoProc = defineError('RT_ERR_NOPROC', Error, (target: string) => `no process ${target}`);
/** A call got no reply within its timeout. */
export const CallTimeout = defineError(
  'RT_ERR_CALL_TIMEOUT',
  Error,
  (target: string, ms: number) => `call to ${target} got no reply within ${ms} ms`,
);
/** The callee exited before it replied; `reason` holds its exit reason. */
export const CalleeExited = defineError(
  'RT_ERR_CALLEE_EXITED',
  Error,
  (target: string, reason: string) => `${target} exited (${reason}) before replying`,
);
/** A bounded mailbox with the `reject` policy refused a message. */
export const MailboxFull = defineError(
  'RT_ERR_MAILBOX_FULL',
  RangeError,
  (target: string, capacity: number) => `mailbox of ${target} is full (${capacity} messages)`,
);
/** The exit reason of a process killed by the `kill` overflow policy. */
export const MailboxOverflow = defineError(
  'RT_ERR_MAILBOX_OVERFLOW',
  RangeError,
  (target: string, capacity: number) => `mailbox of ${target} overflowed ${capacity} messages`,
);
/** `register` or a named spawn used a name that another live process holds. */
export const NameTaken = defineError(
  'RT_ERR_NAME_TAKEN',
  Error,
  (name: string) => `name ${name} is already registered`,
);
/** An option or argument is out of its documented range or of the wrong type. */
export const InvalidOption = defineError('RT_ERR_INVALID_OPTION', TypeError, (detail: string) => detail);
/** The runtime has been shut down; it spawns nothing more. */
export const RuntimeStopped = defineError(
  'RT_ERR_RUNTIME_STOPPED',
  Error,
  () => 'the runtime has been shut down',
);
/** A replayed decision list no longer matches what the program does. */
export const ReplayDiverged = defineError(
  'RT_ERR_REPLAY_DIVERGED',
  Error,
  (step: number, expected: string, candidates: string) =>
    `replay diverged at step ${step}: recorded ${expected}, runnable now: ${candidates}`,
);
/** A supervisor has no child with that id or pid. */
export const UnknownChild = defineError('RT_ERR_UNKNOWN_CHILD', Error, (id: string) => `no child ${id}`);
/** A supervisor already has a child with that id. */
export const ChildExists = defineError(
  'RT_ERR_CHILD_EXISTS',
  Error,
  (id: string) => `child ${id} already exists`,
);
/** A pool was closed; it takes no more tasks. */
export const PoolClosed = defineError(
  'RT_ERR_POOL_CLOSED',
  Error,
  (name: string) => `pool ${name} is closed`,
);
/** A deterministic run hit its step bound: something loops forever. */
export const StepLimit = defineError(
  'RT_ERR_STEP_LIMIT',
  RangeError,
  (limit: number) => `the deterministic scheduler ran ${limit} steps without becoming idle`,
);
/** Strict determinism: a global source of nondeterminism was used inside a deterministic world. */
export const NondeterminismDetected = defineError(
  'RT_ERR_NONDETERMINISM',
  Error,
  (what: string) => `${what} was used inside a deterministic world; use the runtime's ports`,
);
/** A dynamic supervisor already runs its `maxChildren` children. */
export const MaxChildren = defineError(
  'RT_ERR_MAX_CHILDREN',
  RangeError,
  (max: number) => `the supervisor already runs its maximum of ${max} children`,
);
