/**
 * What a supervisor is made of: child specs, restart and shutdown policies, intensity, and
 * their validation. Shared by the client API (`supervisor.ts`) and the behaviour
 * (`internal/supervisor-logic.ts`).
 */
import { InvalidOption } from './errors.js';
import type { Pid } from './pid.js';
import type { AnyProcessLogic, SpawnOptions } from './runtime.js';

/** When a dead child is restarted: always, only after a crash, or never. */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/** How long a child gets to stop after `'shutdown'` (ms, or `Infinity`), or `'brutal_kill'`. */
export type ShutdownPolicy = number | 'brutal_kill';

/** One child of a static supervisor. */
export interface ChildSpec {
  /** Unique among the supervisor's children. */
  readonly id: string;
  readonly logic: AnyProcessLogic;
  readonly input?: unknown;
  /** Default `'permanent'`. */
  readonly restart?: RestartPolicy;
  /** Default 5000 for workers, `Infinity` for supervisors. */
  readonly shutdown?: ShutdownPolicy;
  /** `'supervisor'` for a nested supervisor (it only changes the default shutdown). Default `'worker'`. */
  readonly type?: 'worker' | 'supervisor';
  /** Extra spawn options (a name, a bounded mailbox, trapExit). */
  readonly spawn?: Pick<SpawnOptions, 'name' | 'mailbox' | 'trapExit' | 'batchSize'>;
}

/** The template every child of a dynamic supervisor is started from. */
export type ChildTemplate = Omit<ChildSpec, 'id' | 'input'>;

/** Restart intensity: more than `intensity` restarts within `periodMs` and the supervisor gives up. */
export interface Intensity {
  /** Default 3. */
  readonly intensity?: number;
  /** Default 5000. */
  readonly periodMs?: number;
}

/** A supervisor over a fixed list of children. */
export interface StaticSupervisorOptions extends Intensity {
  readonly strategy: 'one_for_one' | 'one_for_all' | 'rest_for_one';
  readonly children: readonly ChildSpec[];
}

/** A supervisor over many children started on demand from one template (OTP's simple_one_for_one). */
export interface DynamicSupervisorOptions extends Intensity {
  readonly strategy: 'dynamic';
  readonly child: ChildTemplate;
  /** Refuse `startChild` beyond this many live children. Default: unlimited. */
  readonly maxChildren?: number;
  /**
   * Report every child's death to this process as `rt.down.batch` events (batched monitors held
   * by that process; its `batchSize` caps each event). How a channel manager learns of dead
   * connections without a DOWN per connection.
   */
  readonly reportDownsTo?: Pid;
}

/** Either kind. */
export type SupervisorOptions = StaticSupervisorOptions | DynamicSupervisorOptions;

/** A row of `whichChildren`. */
export interface ChildInfo {
  readonly id: string;
  /** Undefined while the child is not running. */
  readonly pid: Pid | undefined;
  readonly restart: RestartPolicy;
  readonly type: 'worker' | 'supervisor';
}

/** What `countChildren` reports. */
export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly workers: number;
  readonly supervisors: number;
}

/** The reason a supervisor exits with when children die faster than its intensity allows. */
export const MAX_RESTART_INTENSITY = { shutdown: 'reached_max_restart_intensity' } as const;

/** Validated options, with defaults filled in. */
export interface NormalizedSupervisorOptions {
  readonly strategy: SupervisorOptions['strategy'];
  readonly children: readonly ChildSpec[];
  readonly template: ChildTemplate | undefined;
  readonly intensity: number;
  readonly periodMs: number;
  readonly maxChildren: number;
  readonly reportDownsTo: Pid | undefined;
}

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'dynamic'];

export function validateSupervisorOptions(options: SupervisorOptions): NormalizedSupervisorOptions {
  if (!STRATEGIES.includes(options.strategy)) {
    throw new InvalidOption(`supervisor strategy must be one of ${STRATEGIES.join(', ')}`);
  }
  const intensity = options.intensity ?? 3;
  const periodMs = options.periodMs ?? 5000;
  if (!Number.isInteger(intensity) || intensity < 0)
    throw new InvalidOption('intensity must be an integer >= 0');
  if (!(periodMs > 0)) throw new InvalidOption('periodMs must be > 0');
  if (options.strategy === 'dynamic') {
    validateChild({ id: 'template', ...options.child });
    const maxChildren = options.maxChildren ?? Infinity;
    if (!(maxChildren >= 0)) throw new InvalidOption('maxChildren must be >= 0');
    return {
      strategy: 'dynamic',
      children: [],
      template: options.child,
      intensity,
      periodMs,
      maxChildren,
      reportDownsTo: options.reportDownsTo,
    };
  }
  const ids = new Set<string>();
  for (const child of options.children) {
    validateChild(child);
    if (ids.has(child.id)) throw new InvalidOption(`duplicate child id ${child.id}`);
    ids.add(child.id);
  }
  return {
    strategy: options.strategy,
    children: options.children,
    template: undefined,
    intensity,
    periodMs,
    maxChildren: Infinity,
    reportDownsTo: undefined,
  };
}

/** @throws {TypeError} RT_ERR_INVALID_OPTION */
export function validateChild(child: ChildSpec): void {
  if (typeof child.id !== 'string' || child.id.length === 0)
    throw new InvalidOption('a child spec needs a string id');
  if (typeof child.logic?.transition !== 'function')
    throw new InvalidOption(`child ${child.id}: logic must be actor logic`);
  const restart = child.restart ?? 'permanent';
  if (!['permanent', 'transient', 'temporary'].includes(restart)) {
    throw new InvalidOption(`child ${child.id}: restart must be permanent, transient or temporary`);
  }
  const shutdown = child.shutdown;
  if (
    shutdown !== undefined &&
    shutdown !== 'brutal_kill' &&
    !(typeof shutdown === 'number' && shutdown >= 0)
  ) {
    throw new InvalidOption(`child ${child.id}: shutdown must be a number of ms >= 0 or 'brutal_kill'`);
  }
}
