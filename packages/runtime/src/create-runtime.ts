/** `createRuntime`: builds a process system on the given ports (live ones by default). */
import pino from 'pino';
import type { Logger } from 'pino';
import { InvalidOption } from './errors.js';
import type { InspectionObserver } from './inspection.js';
import { Kernel } from './internal/kernel.js';
import type { Clock } from './ports/clock.js';
import type { Dispatcher } from './ports/dispatcher.js';
import type { Entropy } from './ports/entropy.js';
import { createLiveClock } from './ports/live-clock.js';
import { createLiveDispatcher } from './ports/live-dispatcher.js';
import { createLiveEntropy } from './ports/live-entropy.js';
import type { Runtime } from './runtime.js';

/** Options of `createRuntime`. */
export interface RuntimeOptions {
  /** Node name in every pid. Default `'local'`. */
  readonly node?: string;
  /** Tells apart two runtimes that used the same node name (Erlang's creation). Default 0. */
  readonly incarnation?: number;
  /** A pino logger; the runtime makes child loggers from it. Default: silent. */
  readonly logger?: Logger;
  /** Who runs next. Default: the live dispatcher. */
  readonly dispatcher?: Dispatcher;
  /** Time and timers. Default: the live clock. */
  readonly clock?: Clock;
  /** Randomness. Default: the OS's. */
  readonly entropy?: Entropy;
  /** An inspection observer attached from the start. */
  readonly inspect?: InspectionObserver;
  /** Default most deaths per `rt.down.batch` event. Default 1000. */
  readonly batchSize?: number;
}

/**
 * Creates a runtime: a process system whose processes run XState logic in lean shells with
 * Erlang semantics (mailboxes, monitors, links, exit signals), on injected ports.
 *
 * @example
 * ```ts
 * import { createMachine } from 'xstate';
 * const rt = createRuntime();
 * const pid = rt.spawn(createMachine({ initial: 'idle', states: { idle: {} } }));
 * rt.isAlive(pid); // true
 * await rt.shutdown();
 * ```
 * @throws {TypeError} RT_ERR_INVALID_OPTION for a bad node name, incarnation or batch size.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const node = options.node ?? 'local';
  if (typeof node !== 'string' || !/^[A-Za-z0-9_@:-]+$/.test(node)) {
    throw new InvalidOption(`node must match [A-Za-z0-9_@:-]+, got ${String(node)}`);
  }
  const incarnation = options.incarnation ?? 0;
  if (!Number.isInteger(incarnation) || incarnation < 0) {
    throw new InvalidOption(`incarnation must be a non-negative integer, got ${String(incarnation)}`);
  }
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidOption(`batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ node });
  const kernel = new Kernel({
    node,
    incarnation,
    logger,
    dispatcher: options.dispatcher ?? createLiveDispatcher(),
    clock: options.clock ?? createLiveClock(),
    entropy: options.entropy ?? createLiveEntropy(),
    batchSize,
  });
  if (options.inspect) kernel.inspect(options.inspect);
  return kernel;
}
